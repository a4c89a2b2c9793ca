"""Queries that run on every request, with their SQL made once.

``PreparedGet``: the session's user. ``PreparedQuery``: the rows of a page that depend on
who asks (below).

Every logged-in request reads its session and then its user (with the membership and
organization that the rule of who may log in reads). Through the ORM, each of those
builds its query anew: for one row by its key, making the SQL costs about ten times
what the database takes to answer it (on SQLite some 0.2 ms for the session and 0.5 ms
for the user, of a bare page's 1.5 ms of CPU). ``PreparedGet`` asks the ORM for the SQL
once per thread and database, and then only runs it: the row comes back through the
ORM's own converters and related populators, so the objects are the ones the queryset's
``get`` would give (the same fields, the same cached relations, ``select_related``
included).
"""

import copy
import re
import threading
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ObjectDoesNotExist, ValidationError
from django.db import connections, router, transaction
from django.db.models import prefetch_related_objects
from django.db.models.query import get_related_populators
from django.db.models.sql.subqueries import InsertQuery, UpdateQuery

from portal.core.scoping import membership_of

# The key the SQL is made with; the query's only parameter.
_PLACEHOLDER_KEY = 0


class PreparedGet:
    """``queryset.get(pk=key)``, or None when there is no such row (or ``key`` is no
    valid key). Only for a queryset of one model's rows by primary key, optionally with
    ``select_related``; anything the SQL depends on besides the key (a filter on the time,
    say) must not change after the first use."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.model = queryset.model
        self._local = threading.local()

    def get(self, key):
        try:
            key = self.model._meta.pk.to_python(key)
        except ValidationError:
            return None
        if key is None:
            return None
        alias = router.db_for_read(self.model)
        prepared = self._prepared(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(prepared.sql, [key])
            row = cursor.fetchone()
        if row is None:
            return None
        if prepared.converters:
            row = next(iter(prepared.compiler.apply_converters([row], prepared.converters)))
        obj = self.model.from_db(alias, prepared.init_list, row[prepared.start : prepared.end])
        for populator in prepared.populators:
            populator.populate(row, obj)
        return obj

    def _prepared(self, alias):
        """The SQL and how to read its row, made on this thread's first use of ``alias``
        (a compiler holds its thread's connection)."""
        cache = self._local.__dict__.setdefault("by_alias", {})
        if alias not in cache:
            cache[alias] = _Prepared(self.queryset.filter(pk=_PLACEHOLDER_KEY), alias)
        return cache[alias]


class _Prepared:
    """What Django's ModelIterable works out for a queryset before reading its rows."""

    def __init__(self, queryset, alias):
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if list(params) != [_PLACEHOLDER_KEY]:  # the key must be the query's only parameter
            raise ValueError(f"PreparedGet needs a query whose only parameter is the key, not {params!r}")
        klass_info = compiler.klass_info
        select = compiler.select
        self.compiler = compiler
        self.sql = sql
        self.start, self.end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.converters = compiler.get_converters([column[0] for column in select])
        self.populators = get_related_populators(klass_info, select, alias)


# --- A person's query, with its SQL made once per kind of person ----------------------


# Stand-in ids the SQL is made with: two sets, so that every parameter that comes from
# whom the query is for shows itself by changing between them.
_STAND_INS = (
    {"user": 2_000_000_011, "membership": 2_000_000_012, "organization": 2_000_000_013},
    {"user": 2_000_000_021, "membership": 2_000_000_022, "organization": 2_000_000_023},
)
_SHAPES_KEPT = 256  # per query and thread; more kinds of person than that start over
_CONSTANT_TYPES = (str, int, float, bool, Decimal, type(None))
# A date or a time as SQLite's adapter writes it: a query of "today" or "now", which must
# not be kept (on PostgreSQL such a parameter stays a date and is refused by its type).
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")

# What a stand-in keeps of the real person: the fields ``shape_of`` is made of. Every
# other field gets a made-up value, another in each of the two stand-ins, so that a query
# that depended on one of them would differ between the two and not be prepared.
_KEPT = {
    "user": {"is_staff", "is_superuser", "is_active"},
    "membership": {"role", "status", "deactivated_until", "may_use_portal", "may_order", "manages_locations",
                   "approves_orders", "order_limit"},
    "organization": {"portal_access"},
}  # fmt: skip


def shape_of(user):
    """Everything about ``user`` besides who it is that a query of theirs may depend on:
    the fields a stand-in keeps (``_KEPT``: staff or customer, and the membership's role,
    status, rights, the flags of its grants (the grants themselves are rows a query
    reads) and limit, and the organization's access), and the status as it is today. Two
    people of one shape get the same SQL, with their own ids in it."""
    membership = membership_of(user)
    person = (user.is_authenticated, *(bool(getattr(user, name, False)) for name in sorted(_KEPT["user"])))
    if membership is None:
        return person
    organization = membership._state.fields_cache.get("organization")
    return (
        *person,
        *(getattr(membership, name) for name in sorted(_KEPT["membership"])),
        membership.effective_status,  # the status, with a deactivation's end date come or not
        *(None if organization is None else getattr(organization, name) for name in sorted(_KEPT["organization"])),
    )


class PreparedQuery:
    """The rows of ``build(user)`` (a queryset, sliced if it should be), with the SQL
    made once per shape of person (``shape_of``), database and thread instead of on
    every request.

    The SQL is made twice, for two stand-ins of the person (``_stand_in``: new objects
    that keep the fields of the shape, with made-up ids and every other field made up,
    another value in each); the parameters that differ only by the ids are the person's,
    and at each use they are filled in with the real ids. Anything else in the query must
    be the same for everyone of that shape: a query in which anything else differs, a
    parameter that is a date or a time (a query of "now" or "today"), a query that reads
    the database while it is built, or one that cannot be made for a stand-in is not
    prepared, and is built each time as before.
    While the tests run (``PREPARED_QUERIES_VERIFY``), every use is checked against the
    SQL and parameters the ORM makes for the real person."""

    def __init__(self, build):
        self.build = build
        self._local = threading.local()

    def rows(self, user):
        shape = shape_of(user)
        cache = self._local.__dict__.setdefault("by_shape", {})
        prepared = cache.get(shape)
        if prepared is None:
            if len(cache) >= _SHAPES_KEPT:
                cache.clear()
            queryset = self.build(user)
            alias = queryset.db
            prepared = cache[shape] = _prepare(self.build, user, alias)
            if prepared is _NOT_PREPARED:
                return list(queryset)
        if prepared is _NOT_PREPARED:
            return list(self.build(user))
        if prepared.alias != router.db_for_read(prepared.model):
            return list(self.build(user))
        ids = _ids_of(user)
        params = [ids[name] if name is not None else value for name, value in prepared.params]
        if getattr(settings, "PREPARED_QUERIES_VERIFY", False):
            _verify(self.build(user), prepared, params)
        if prepared.empty:
            return []
        return prepared.run(params)


_NOT_PREPARED = object()


class _ReadWhileBuilding(Exception):
    pass


def _refuse_to_run(execute, sql, params, many, context):
    raise _ReadWhileBuilding


def _ids_of(user):
    membership = membership_of(user)
    return {
        "user": user.pk,
        "membership": None if membership is None else membership.pk,
        "organization": None if membership is None else membership.organization_id,
    }


def _made_up(field, variant):
    """A value for ``field`` of a stand-in: another in each ``variant`` (0 or 1)."""
    internal = field.get_internal_type()
    if internal in (
        "AutoField",
        "BigAutoField",
        "ForeignKey",
        "OneToOneField",
        "IntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "SmallIntegerField",
    ):
        return 1_900_000_000 + 1_000 * variant + field.creation_counter % 1_000
    if internal in ("CharField", "TextField", "EmailField", "SlugField", "URLField", "GenericIPAddressField"):
        return f"stand-in {variant} {field.attname}"
    if internal == "BooleanField":
        return bool(variant)
    if internal == "DateField":
        return date(1901, 1, 1) + timedelta(days=variant)
    if internal == "DateTimeField":
        return datetime(1901, 1, 1, tzinfo=dt_timezone.utc) + timedelta(days=variant)
    if internal == "DecimalField":
        return Decimal(variant + 1)
    if internal == "JSONField":
        return {"stand-in": variant}
    raise TypeError(f"no made-up value for a {internal}")  # not prepared


def _copy_of(obj, kind, ids, variant):
    """A new instance of ``obj``'s model: the fields of ``_KEPT`` and the ids from the real
    person, every other field made up; nothing cached."""
    model = obj._meta.model  # (the request's user is a lazy object standing in for one)
    values = {}
    for field in model._meta.concrete_fields:
        name = field.attname
        if field.primary_key:
            values[name] = ids[kind]
        elif name in _KEPT[kind]:
            values[name] = getattr(obj, name)
        elif name in ("user_id", "organization_id") and ids.get(name[:-3]) is not None:
            values[name] = ids[name[:-3]]
        else:
            values[name] = _made_up(field, variant)
    copy_ = model(**values)
    copy_._state.adding, copy_._state.db = False, obj._state.db
    return copy_


def _stand_in(user, ids, variant):
    """A stand-in of ``user`` (with its membership and organization): ``ids`` as its ids,
    the fields of its shape as they are, everything else made up, and no other related
    object cached (a query that read one would read the stand-in's, which is not there)."""
    membership = membership_of(user)
    if membership is None:
        ids = {**ids, "membership": None, "organization": None}
    clone = _copy_of(user, "user", ids, variant)
    if membership is None:
        clone._state.fields_cache["membership"] = None
        return clone
    member = _copy_of(membership, "membership", ids, variant)
    member._state.fields_cache["user"] = clone
    organization = membership._state.fields_cache.get("organization")
    if organization is not None:
        member._state.fields_cache["organization"] = _copy_of(organization, "organization", ids, variant)
    clone._state.fields_cache["membership"] = member
    return clone


def _compiled(queryset, alias):
    compiler = queryset.query.get_compiler(using=alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return compiler, None, None
    return compiler, sql, list(params)


def _prepare(build, user, alias):
    made = []
    try:
        # Building must not read the database: what it read would be the stand-in's.
        with connections[alias].execute_wrapper(_refuse_to_run):
            for variant, ids in enumerate(_STAND_INS):
                queryset = build(_stand_in(user, ids, variant))
                made.append((queryset, *_compiled(queryset, alias)))
    except (_ReadWhileBuilding, ObjectDoesNotExist, AttributeError, TypeError, ValueError):
        # A query that cannot be made for a stand-in is built each time, as before.
        return _NOT_PREPARED
    made[0][0]._known_related_objects, made[0][0]._hints = {}, {}  # keep no stand-in
    names = {value: name for name, value in _STAND_INS[0].items()}
    return _split(
        made, alias, stand_in=lambda value: value in names,
        match=lambda value, other: names[value] if type(value) is int and value in names and _STAND_INS[1][names[value]] == other else None,
    )  # fmt: skip


def _split(made, alias, *, stand_in, match):
    """The prepared query of two makings of one query with other stand-ins (each a
    queryset, its compiler, SQL and parameters): the same SQL, and each parameter either
    the same in both (a constant; not a stand-in's value, a date or a time) or what
    ``match`` names it (a person's id, an argument). Anything else: not prepared."""
    (queryset, compiler, sql, params), (_, _, sql_b, params_b) = made
    if sql != sql_b or (params is None) != (params_b is None):
        return _NOT_PREPARED
    if sql is None:
        return _Query(queryset, compiler, alias, None, [], empty=True)
    if len(params) != len(params_b):
        return _NOT_PREPARED
    template = []
    for value, other in zip(params, params_b):
        if value == other and type(value) is type(other):
            if not isinstance(value, _CONSTANT_TYPES) or stand_in(value):
                return _NOT_PREPARED  # a date, a time or anything else that may change
            if isinstance(value, str) and _DATE_TEXT.match(value):
                return _NOT_PREPARED  # a moment as SQLite writes it: "now" or "today"
            template.append((None, value))
            continue
        key = match(value, other)
        if key is None:
            return _NOT_PREPARED
        template.append((key, None))
    return _Query(queryset, compiler, alias, sql, template)


class _Query:
    def __init__(self, queryset, compiler, alias, sql, params, empty=False):
        self.queryset, self.compiler, self.alias, self.sql = queryset, compiler, alias, sql
        self.model = queryset.model
        self.params = params
        self.empty = empty

    def run(self, params):
        compiler = copy.copy(self.compiler)
        # The SQL is the database's, the connection this thread's now: the one the SQL was
        # made with may have been replaced since (a test's live server, say).
        compiler.connection = connections[self.alias]
        sql = self.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        template = self.queryset
        queryset = type(template)(model=self.model, query=_FixedQuery(template.query, compiler), using=self.alias)
        for name in ("_iterable_class", "_fields", "_prefetch_related_lookups"):
            setattr(queryset, name, getattr(template, name))
        rows = list(queryset._iterable_class(queryset))
        if queryset._prefetch_related_lookups and rows:
            prefetch_related_objects(rows, *queryset._prefetch_related_lookups)
        return rows


class _FixedQuery:
    """The query of a prepared queryset: its compiler is the one with the SQL made."""

    def __init__(self, query, compiler):
        self._query, self._compiler = query, compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler

    def __getattr__(self, name):
        return getattr(self._query, name)


def _verify(queryset, prepared, params):
    compiler, sql, real_params = _compiled(queryset, prepared.alias)
    expected = (None, None) if prepared.empty else (prepared.sql, params)
    if (sql, real_params) != expected:
        raise AssertionError(f"A prepared query differs from the ORM's for this person: {expected!r} != {(sql, real_params)!r}")


# --- A query of its arguments, with its SQL made once ---------------------------------


class PreparedRows:
    """The rows of ``build(*args)`` (a queryset, sliced if it should be), whose SQL
    differs between calls only by its arguments: text, whole numbers or moments in time
    (a login's address, a client's key, the start of a window). The SQL is made once per
    database, thread and kinds of arguments, instead of on every call.

    It is made twice, with two sets of made-up arguments: a parameter that changes between
    the two must be one argument as the database receives it (a moment as the backend
    writes it), and is filled in at each use; every other parameter must be the same in
    both and a constant (so anything else the query depends on, a setting say, must not
    change). A query that does not split this way (an argument the query changes, such as
    a search for part of a text) is built each time as before. While the tests run
    (``PREPARED_QUERIES_VERIFY``), every use is checked against the ORM's."""

    def __init__(self, build):
        self.build = build
        self._local = threading.local()

    def rows(self, *args):
        prepared = _prepared_of(self._local, args, lambda kinds: _prepare_of_arguments(self.build, kinds, self.build(*args).db))
        if prepared is _NOT_PREPARED or prepared.alias != router.db_for_read(prepared.model):
            return list(self.build(*args))
        params = _filled(prepared, args)
        if getattr(settings, "PREPARED_QUERIES_VERIFY", False):
            _verify(self.build(*args), prepared, params)
        if prepared.empty:
            return []
        return prepared.run(params)


def _prepared_of(local, arguments, prepare):
    """The statement prepared on this thread for the kinds of these arguments, made by
    ``prepare(kinds)`` the first time (``_NOT_PREPARED`` when it cannot be)."""
    kinds = tuple(_kind_of(arg) for arg in arguments)
    cache = local.__dict__.setdefault("by_kinds", {})
    prepared = cache.get(kinds)
    if prepared is None:
        if len(cache) >= _SHAPES_KEPT:
            cache.clear()
        prepared = cache[kinds] = prepare(kinds)
    return prepared


def _filled(prepared, arguments):
    """The parameters of a prepared statement for these arguments."""
    operations = connections[prepared.alias].ops
    return [value if index is None else _as_written(arguments[index], operations) for index, value in prepared.params]


def _kind_of(arg):
    if isinstance(arg, bool) or not isinstance(arg, (str, int, datetime)):
        return None  # anything else: the query is built each time
    if isinstance(arg, datetime):
        return (datetime, arg.tzinfo is not None)
    return type(arg)


def _stand_in_argument(kind, index, variant):
    if kind is str:
        return f"\x00stand-in {variant}.{index}\x00"
    if kind is int:
        return 2_000_001_000 + 100 * variant + index
    aware = kind[1]
    return datetime(1901 + variant, 2, 3, 4, 5, index, tzinfo=dt_timezone.utc if aware else None)


def _as_written(arg, operations):
    """An argument as the query's parameter: a moment as the backend writes it."""
    return operations.adapt_datetimefield_value(arg) if isinstance(arg, datetime) else arg


def _prepare_of_arguments(build, kinds, alias, compile=None):
    if None in kinds:
        return _NOT_PREPARED
    compile = compile or _compiled
    operations = connections[alias].ops
    made = []
    try:
        with connections[alias].execute_wrapper(_refuse_to_run):
            for variant in (0, 1):
                stand_ins = [_stand_in_argument(kind, index, variant) for index, kind in enumerate(kinds)]
                queryset = build(*stand_ins)
                made.append([queryset, *compile(queryset, alias), [_as_written(arg, operations) for arg in stand_ins]])
    except (_ReadWhileBuilding, ObjectDoesNotExist, TypeError, ValueError):
        return _NOT_PREPARED
    written, written_b = made[0].pop(), made[1].pop()
    return _split(
        made, alias, stand_in=lambda value: value in written,
        match=lambda value, other: next((i for i, arg in enumerate(written) if arg == value and written_b[i] == other), None),
    )  # fmt: skip


class PreparedUpdate:
    """``build(*args).update(**values)`` for these fields, the rows counted, with the SQL
    made once as ``PreparedRows`` makes it: the values are arguments too, of the same
    kinds (text, whole numbers, moments). No signal is sent, as with the ORM's update."""

    def __init__(self, build, *field_names):
        self.build = build
        self.field_names = field_names
        self._local = threading.local()

    def update(self, *args, **values):
        arguments = [values[name] for name in self.field_names] + list(args)
        prepared = _prepared_of(
            self._local, arguments,
            lambda kinds: _prepare_of_arguments(
                self._update_query, kinds, router.db_for_write(self.build(*args).model), self._compiled
            ),
        )  # fmt: skip
        if prepared is _NOT_PREPARED or prepared.empty or prepared.alias != router.db_for_write(prepared.model):
            return self.build(*args).update(**values)
        params = _filled(prepared, arguments)
        if getattr(settings, "PREPARED_QUERIES_VERIFY", False):
            expected = self._compiled(self._update_query(*arguments), prepared.alias)[1:]
            if expected != (prepared.sql, params):
                raise AssertionError(f"A prepared update differs from the ORM's: {(prepared.sql, params)!r} != {expected!r}")
        with transaction.mark_for_rollback_on_error(using=prepared.alias), connections[prepared.alias].cursor() as cursor:
            cursor.execute(prepared.sql, params)
            return cursor.rowcount

    def _update_query(self, *arguments):
        """The rows of ``build`` and the values of the update, from one list of arguments."""
        count = len(self.field_names)
        queryset = self.build(*arguments[count:])
        queryset._prepared_update_values = dict(zip(self.field_names, arguments[:count]))
        return queryset

    @staticmethod
    def _compiled(queryset, alias):
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(queryset._prepared_update_values)
        query.annotations = {}
        compiler = query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return compiler, None, None
        return compiler, sql, list(params)


class PreparedInsert:
    """``model.objects.create(**values)`` with the SQL made once per database and thread,
    for a model whose ``save`` and signals add nothing (none is sent) and whose fields are
    all given each time, by their column names (``user_id``): the new row's key is
    returned. A field the ORM would fill at the save (``auto_now_add``) is given too, and
    kept as given, as when the ORM loads a fixture (``raw``). The values are prepared for
    the database by their fields, as the ORM does. While the tests run
    (``PREPARED_QUERIES_VERIFY``), every use is checked against the ORM's SQL."""

    def __init__(self, model, *field_names):
        self.model = model
        self.fields = [model._meta.get_field(name) for name in field_names]
        self._local = threading.local()

    def insert(self, **values):
        alias = router.db_for_write(self.model)
        connection = connections[alias]
        cache = self._local.__dict__.setdefault("by_alias", {})
        if alias not in cache:
            compiler, [(sql, _params)] = self._compiled(values, alias)
            cache[alias] = compiler, sql
        compiler, sql = cache[alias]
        compiler = copy.copy(compiler)
        compiler.connection = connection  # this thread's now (see ``_Query.run``)
        params = tuple(field.get_db_prep_save(values[field.attname], connection) for field in self.fields)
        if getattr(settings, "PREPARED_QUERIES_VERIFY", False):
            expected = self._compiled(values, alias)[1]
            if _comparable(expected) != _comparable([(sql, params)]):
                raise AssertionError(f"A prepared insert differs from the ORM's: {[(sql, params)]!r} != {expected!r}")
        compiler.as_sql = lambda *args, **kwargs: [(sql, params)]
        with transaction.mark_for_rollback_on_error(using=alias):
            return compiler.execute_sql([self.model._meta.pk])[0][0]

    def _compiled(self, values, alias):
        query = InsertQuery(self.model)
        query.insert_values(self.fields, [self.model(**values)], raw=True)
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = [self.model._meta.pk]
        statements = compiler.as_sql()
        return compiler, [(sql, tuple(params)) for sql, params in statements]


def _comparable(statements):
    """Statements with their parameters as values: a JSON value that the database driver
    wraps (psycopg's ``Jsonb``) compares by what it wraps."""
    return [
        (sql, [(type(p), p.obj) if hasattr(p, "dumps") and hasattr(p, "obj") else p for p in params])
        for sql, params in statements
    ]
