"""What the core package contributes to Homeward (app/features.py)."""

from app.core.routes import router
from app.features import Feature

feature = Feature(name="core", router=router)
