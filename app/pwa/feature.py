"""What the pwa package contributes to Homeward (app/features.py)."""

from app.features import Feature
from app.pwa.routes import router

feature = Feature(name="pwa", router=router)
