DEMO_PASSWORD = "Zhifa@2026demo"
DEMO_LOGINS: list[dict] = []
