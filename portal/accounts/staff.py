"""HartingBank's staff roles, as Django groups."""

ACCOUNT_MANAGER = "Accountmanager"
CUSTOMER_SERVICE = "Online klantenservice"
STAFF_GROUPS = (ACCOUNT_MANAGER, CUSTOMER_SERVICE)
