"""``zhifa disclosures_expire``: the daily task taking items whose display
period has ended off the portal (PUB-08). They stay in the database."""

from django.core.management.base import BaseCommand

from zhifa.disclosures.services import disclosures_expire


class Command(BaseCommand):
    help = "撤下公示期限已满的公示信息（每日运行；信息在系统内保留）。"

    def handle(self, *args, **options):
        count = disclosures_expire()
        self.stdout.write(f"撤下公示期满的信息 {count} 条。")
