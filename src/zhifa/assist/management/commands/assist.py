from django.core.management.base import BaseCommand, CommandError

from zhifa.assist import services, speechmodel


class Command(BaseCommand):
    help = (
        "智能辅助：work 运行后台工作进程——语音转写、上传文件的文字识别、检索向量计算"
        "（--once 处理完排队任务即退出）；"
        "model 用已安装的模型包组装 Whisper 模型目录（安装时运行，不联网）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["work", "model"])
        parser.add_argument("--once", action="store_true", help="work：处理完排队任务即退出")
        parser.add_argument("--rounds", type=int, default=0, help="work：轮询次数（0 为不限）")
        parser.add_argument("--size", default=None, help="model：base 或 small（默认按设置）")
        parser.add_argument("--force", action="store_true", help="model：重新组装")
        parser.add_argument(
            "--if-installed", action="store_true", help="model：未安装模型包时跳过而不报错"
        )

    def handle(self, *args, action, once, rounds, size, force, if_installed, **options):
        if action == "model":
            try:
                path = speechmodel.assemble(size, force=force)
            except speechmodel.ModelMissing as exc:
                if if_installed:
                    self.stdout.write(f"跳过：{exc}")
                    return
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"语音识别模型已就绪：{path}")
            return
        self.stdout.write("智能辅助工作进程已启动。" if not once else "处理排队的任务……")
        ran = services.work(once=once, rounds=rounds)
        self.stdout.write(f"已处理 {ran} 个转写或文件识别任务。")
