from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mora.field_orders.models import Contractor
from mora.integrations.models import Scope
from mora.integrations.services import api_client_create


class Command(BaseCommand):
    help = "Crea un cliente de la API y muestra su token (solo esta vez). Permisos: " + ", ".join(Scope.values)

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--scopes", required=True, help="Permisos separados por comas, p. ej. payments:write")
        parser.add_argument("--contractor", help="Nombre de la microempresa (limita las órdenes que ve)")

    def handle(self, *args, name, scopes, contractor=None, **options):
        found = None
        if contractor:
            found = Contractor.objects.filter(name=contractor).first()
            if found is None:
                raise CommandError(f"No existe la microempresa «{contractor}».")
        try:
            client, token = api_client_create(
                actor=None, name=name, scopes=[s.strip() for s in scopes.split(",") if s.strip()], contractor=found
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(f"Cliente «{client.name}» creado con permisos {', '.join(client.scopes)}. Guarde el token:")
        self.stdout.write(token)
