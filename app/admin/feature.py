"""What the admin package contributes to Homeward (app/features.py)."""

from app.admin.routes import router
from app.features import Feature

feature = Feature(name="admin", router=router)
