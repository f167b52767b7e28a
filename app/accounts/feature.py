"""What the accounts package contributes to Homeward (app/features.py)."""

from app.accounts.routes import router
from app.features import Feature

feature = Feature(name="accounts", router=router)
