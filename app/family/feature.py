"""What family mode contributes: the hand-over screens and the pages they need offline."""

from app.family import offline
from app.family.routes import router
from app.features import Feature

feature = Feature(name="family", router=router, offline_pages=offline.pages)
