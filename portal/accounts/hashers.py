from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's recommended minimum: 19 MiB of memory, 2 iterations,
    parallelism 1.

    The algorithm name stays ``argon2``, so hashes made with other parameters are
    recognised and rehashed with these at the next successful login
    (``must_update`` compares the parameters).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
