"""What family mode contributes: the hand-over screens, the pages they need offline, and the
oversight flag for wrong PINs typed on a tablet offline."""

from app.family import demo, flags, offline
from app.family.routes import router
from app.features import Feature

feature = Feature(name="family", router=router, offline_pages=offline.pages, flags=flags.FLAGS, demo=demo.load)
