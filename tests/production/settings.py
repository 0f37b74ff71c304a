"""A production configuration that the portal accepts (app/__init__.py, _refuse_unsafe_production):
every test that builds a production app starts from it and changes one thing."""

PRODUCTION_SECRET_KEY = "a-real-secret-key-for-this-test-of-production"
PRODUCTION_ENCRYPTION_KEY = "T2ZmaWNpYWwtdGVzdC1rZXktb2YtMzItYnl0ZXMtISE="

PRODUCTION_SETTINGS = {
    "FSE_ENV": "production",
    "SECRET_KEY": PRODUCTION_SECRET_KEY,
    "FSE_ENCRYPTION_KEYS": PRODUCTION_ENCRYPTION_KEY,
    "SESSION_COOKIE_SECURE": True,
    "FSE_BASE_URL": "https://portail-fse.example.mc",
    # OWASP's lowest argon2id profile: accepted, and lighter than the default for tests that hash.
    "ARGON2_MEMORY_COST_KIB": 19456,
    "ARGON2_TIME_COST": 2,
}

# The same as environment variables, for a process (gunicorn, flask) started by a test.
PRODUCTION_ENVIRONMENT = {
    "FSE_ENV": "production",
    "FSE_SECRET_KEY": PRODUCTION_SECRET_KEY,
    "FSE_ENCRYPTION_KEY": PRODUCTION_ENCRYPTION_KEY,
    "FSE_COOKIE_SECURE": "1",
    "FSE_BASE_URL": "https://portail-fse.example.mc",
}
