from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from zhifa.media.services import uploads_purge


class Command(BaseCommand):
    help = "音像记录。purge-uploads：删除超过 --hours 小时（默认 24）未继续的上传及其临时文件。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["purge-uploads"])
        parser.add_argument("--hours", type=int, default=24, help="闲置多少小时的上传视为放弃")

    def handle(self, *args, action, hours, **options):
        if hours < 1:
            raise CommandError("--hours 须为正整数。")
        removed = uploads_purge(older_than=timedelta(hours=hours))
        self.stdout.write(f"已删除 {removed} 个闲置超过 {hours} 小时的上传。")
