import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher, identify_hasher, make_password

from conftest import PASSWORD


class OldArgon2(Argon2PasswordHasher):
    time_cost = 3
    memory_cost = 65536
    parallelism = 4


@pytest.mark.django_db
class TestPasswordHashing:
    def test_new_hashes_are_argon2id_at_owasp_parameters(self, employee):
        algorithm, variety, version, params, *_ = employee.password.split("$")
        assert (algorithm, variety) == ("argon2", "argon2id")
        assert params == "m=19456,t=2,p=1"

    @pytest.mark.parametrize("old_hasher", [OldArgon2(), PBKDF2PasswordHasher()])
    def test_other_hashes_are_upgraded_at_the_next_login(self, client, employee, old_hasher):
        employee.password = old_hasher.encode(PASSWORD, old_hasher.salt())
        employee.save(update_fields=["password"])
        response = client.post("/inloggen/", {"login": employee.email, "password": PASSWORD})
        assert response.status_code == 302
        employee.refresh_from_db()
        assert "m=19456,t=2,p=1" in employee.password
        assert identify_hasher(employee.password).algorithm == "argon2"

    def test_the_password_itself_is_never_stored(self, employee):
        assert PASSWORD not in employee.password
        assert make_password(PASSWORD) != make_password(PASSWORD)  # salted
