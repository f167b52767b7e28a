"""What family mode contributes: the hand-over screens, the pages they need offline, the oversight
flag for wrong PINs typed on a tablet offline, and the administrator's page of family languages."""

from app.family import demo, flags, offline
from app.family.routes import router
from app.features import Feature, NavLink

feature = Feature(
    name="family",
    router=router,
    offline_pages=offline.pages,
    flags=flags.FLAGS,
    demo=demo.load,
    nav=(NavLink("Languages", "/admin/languages", roles=frozenset({"admin"}), position=42),),
)
