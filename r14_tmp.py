import tempfile
from pathlib import Path
import sqlalchemy as sa
from flask_migrate import upgrade
from convsign import create_app
from convsign.demo import services as demo
from convsign.extensions import db
from convsign.models import Convention
from convsign.documents import services as documents
folder = Path(tempfile.mkdtemp())
app = create_app({"INSTANCE_PATH": str(folder / "instance"), "DATABASE_URL": "sqlite:///" + str(folder / "d.sqlite3"), "SECRET_KEY": "x"*32})
with app.app_context():
    upgrade()
    demo.load_demo(folder / "logins.txt")
    c = db.session.scalar(sa.select(Convention))
    open('/tmp/demo14.pdf','wb').write(documents.store().get(c.latest_sha256))
