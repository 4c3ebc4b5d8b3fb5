from django.core.management.base import BaseCommand, CommandError

from mora.analytics import services
from mora.analytics.models import RiskModel, Source
from mora.analytics.synthetic import DEFAULT_SEED


class Command(BaseCommand):
    help = "Entrena una nueva versión del modelo de riesgo de incumplimiento y la guarda (las anteriores se conservan)."

    def add_arguments(self, parser):
        parser.add_argument("--source", choices=Source.values, default=Source.DATABASE)
        parser.add_argument("--rows", type=int, default=services.DEFAULT_ROWS, help="Filas de la historia sintética.")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Semilla de la historia sintética.")
        parser.add_argument(
            "--if-none", action="store_true", help="No hacer nada si ya hay un modelo (lo usa `make run`)."
        )

    def handle(self, *args, source, rows, seed, if_none=False, **options):
        if if_none and RiskModel.objects.exists():
            self.stdout.write("Ya hay un modelo de riesgo entrenado; no se entrena otro.")
            return
        try:
            model = services.risk_model_train(actor=None, source=source, rows=rows, seed=seed)
        except services.AnalyticsError as exc:
            raise CommandError(str(exc)) from exc
        m = model.metrics
        self.stdout.write(
            f"Modelo v{model.version}: {model.get_source_display()}, {model.n_rows} convenios "
            f"({model.period_start:%d/%m/%Y}–{model.period_end:%d/%m/%Y}); "
            f"AUC {m['auc'] or 0:.3f}, KS {m['ks'] or 0:.3f}, Brier {m['brier']:.3f}."
        )
        if model.notes:
            self.stdout.write(model.notes)
