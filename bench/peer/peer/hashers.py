from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """The portal's parameters (portal/accounts/hashers.py): 19 MiB, 2 iterations, parallelism 1."""

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
