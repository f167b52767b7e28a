"""Family network: the network map, family network meetings, commitments and the letter to the family."""
