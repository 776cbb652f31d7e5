from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Migrate the database, then serve the UI and the API with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--demo", action="store_true", help="Load demo data when the database is empty.")

    def handle(
        self, *args: Any, host: str, port: int, workers: int, threads: int, demo: bool, **options: Any
    ) -> None:
        from django.conf import settings

        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if demo:
            from carnet.customers.models import Customer

            if not Customer.objects.exists():
                self.stderr.write("Loading demo data into the empty database…")
                call_command("demo")
        self.stderr.write(f"Carnet is at http://{host}:{port}/  (stop with Ctrl+C)")
        _serve(host=host, port=port, workers=workers, threads=threads)


def _serve(*, host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from carnet.wsgi import application

    class CarnetServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 60)

        def load(self) -> Any:
            return application

    CarnetServer().run()
