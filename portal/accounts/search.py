"""Searching the users' name and e-mail address for a part of them (``search_text``
contains a word), helped on SQLite by a trigram index.

PostgreSQL finds such words through the trigram index of migration 0003 (pg_trgm), and its
planner weighs that index against reading in name order. SQLite has no index type for
"contains": a search read the whole (organization, name, e-mail, search text) index of an
organization when it found few accounts, 17 ms for 100,000 users. Migration 0006 adds
SQLite's own full-text index with the trigram tokenizer (FTS5), kept up to date by
triggers on the users' table, and a table of how many users have each trigram.

That index alone does not do it: FTS5 reads every trigram asked for, and the trigrams of
a common word or of an address's domain are in most users' text. All fifteen of one
address's took 7 ms among 1,100,000 users; a phrase query, from 130 ms to 2 s for a common
surname. So the search picks the rarest trigrams itself, by the counts, reads the users
that have all of them, at most ``CANDIDATES``, and checks each for the whole word with the
same condition as before (1.6 ms for that address, its three statements). When more users
than that have them, the word is common, and the search reads in name order as before,
which then stops early; finding that out costs about a millisecond, and up to 5 for two
common words that few users have both.

The index only narrows: every user found still meets ``search_text`` contains the word,
and the trigram index (which folds case at least as widely as SQL's LIKE) misses no user
that has it. The counts only choose which trigrams to read; when they are stale (between
the daily refreshes) the search is as right, and perhaps slower."""

from django.db import connections, transaction

from .models import User

INDEX = "accounts_user_trigrams"  # FTS5, trigram tokenizer, content in accounts_user
VOCABULARY = "accounts_user_trigram_vocabulary"  # fts5vocab: the users per trigram, counted on reading
COUNTS = "accounts_user_trigram_counts"  # that count, as of the last refresh
CANDIDATES = 2000  # read at most this many users from the index; more: the word is common
TRIGRAMS_READ = 3  # the rarest three narrow as well as all of them, at a fraction of the cost

TRIGGERS = {
    "accounts_user_trigrams_insert": f"""
        CREATE TRIGGER IF NOT EXISTS accounts_user_trigrams_insert AFTER INSERT ON accounts_user BEGIN
            INSERT INTO {INDEX}(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
    "accounts_user_trigrams_delete": f"""
        CREATE TRIGGER IF NOT EXISTS accounts_user_trigrams_delete AFTER DELETE ON accounts_user BEGIN
            INSERT INTO {INDEX}({INDEX}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        END""",
    "accounts_user_trigrams_update": f"""
        CREATE TRIGGER IF NOT EXISTS accounts_user_trigrams_update AFTER UPDATE OF search_text ON accounts_user BEGIN
            INSERT INTO {INDEX}({INDEX}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
            INSERT INTO {INDEX}(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
}
CREATE = [
    f"CREATE VIRTUAL TABLE {INDEX} USING fts5(search_text, content='accounts_user', content_rowid='id', "
    "tokenize='trigram', detail='none', columnsize=0)",
    f"CREATE VIRTUAL TABLE {VOCABULARY} USING fts5vocab({INDEX}, 'row')",
    f"CREATE TABLE {COUNTS} (trigram TEXT PRIMARY KEY, users INTEGER NOT NULL) WITHOUT ROWID",
    *TRIGGERS.values(),
]
DROP = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS),
    f"DROP TABLE IF EXISTS {COUNTS}",
    f"DROP TABLE IF EXISTS {VOCABULARY}",
    f"DROP TABLE IF EXISTS {INDEX}",
]


def _has_index(cursor):
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [INDEX])
    return cursor.fetchone() is not None


def refresh_counts(using="default"):
    """The count of users per trigram, read again from the index (under a second for a
    million users): a daily job, and after every ``migrate`` (``AccountsConfig.ready``)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return "PostgreSQL's trigram index needs no counts of ours"
    with transaction.atomic(using=using), connection.cursor() as cursor:  # no search sees the table empty
        if not _has_index(cursor):
            return "no trigram index"
        cursor.execute(f"DELETE FROM {COUNTS}")
        cursor.execute(f"INSERT INTO {COUNTS} (trigram, users) SELECT term, doc FROM {VOCABULARY}")
        cursor.execute(f"SELECT count(*) FROM {COUNTS}")
        return f"{cursor.fetchone()[0]} trigram(s) counted"


def repair(using="default"):
    """Puts back the triggers, and rebuilds the index from the users' table, when a
    migration has rebuilt that table: SQLite drops a table's triggers with it, and Django
    alters a table on SQLite by copying it into a new one. Without its triggers the index
    would miss every change after. Returns whether it repaired anything."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        if not _has_index(cursor):  # the migration is not applied
            return False
        cursor.execute(
            f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN ({', '.join(['%s'] * len(TRIGGERS))})",
            list(TRIGGERS),
        )
        if len(cursor.fetchall()) == len(TRIGGERS):
            return False
        for statement in TRIGGERS.values():
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {INDEX}({INDEX}) VALUES ('rebuild')")
    return True


def _trigrams(terms):
    return {term[i : i + 3] for term in terms for i in range(len(term) - 2)}


def _quoted(trigram):
    return '"' + trigram.replace('"', '""') + '"'


def matching_users(terms, using="default"):
    """The ids of the users whose search text contains every one of ``terms``, found
    through the trigram index: among the users with its rarest ``TRIGRAMS_READ`` trigrams,
    when there are at most ``CANDIDATES`` of them. None when the index would not help: on
    PostgreSQL, for terms of under three letters, or for a common word.

    The ids are those found, not the candidates: the fewer they are, the surer SQLite's
    planner starts from them rather than from an organization's index (whose statistics
    say nothing of how large one organization is)."""
    connection = connections[using]
    trigrams = _trigrams(terms)
    if connection.vendor != "sqlite" or not trigrams:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT trigram, users FROM {COUNTS} WHERE trigram IN ({', '.join(['%s'] * len(trigrams))})",
            sorted(trigrams),
        )
        counts = dict(cursor.fetchall())
        # A trigram not counted is new since the refresh (or folded otherwise by the index):
        # taken as rare, which is right in the first case and costs only time in the second.
        rarest = sorted(trigrams, key=lambda trigram: (counts.get(trigram, 0), trigram))[:TRIGRAMS_READ]
        # The candidates' ids alone: for a common word, too many of them are soon found.
        cursor.execute(
            f"SELECT rowid FROM {INDEX} WHERE {INDEX} MATCH %s LIMIT %s",
            [" AND ".join(_quoted(trigram) for trigram in rarest), CANDIDATES + 1],
        )
        candidates = [row[0] for row in cursor.fetchall()]
    if len(candidates) > CANDIDATES:
        return None
    if not candidates:
        return []
    found = User.objects.using(using).filter(pk__in=candidates)
    for term in terms:
        found = found.filter(search_text__contains=term)
    return list(found.values_list("pk", flat=True))


def containing(queryset, terms, *, user="", index=True):
    """``queryset`` narrowed to the users (or, with ``user="user__"``, the rows of the users)
    whose search text contains each of ``terms``; ``terms`` as ``search_key`` gives them.
    ``index=False``: by the condition alone, when the users were found through the index
    apart already."""
    ids = matching_users(terms, using=queryset.db) if index else None
    if ids is not None:
        queryset = queryset.filter(**{f"{user}pk__in": ids})
    for term in terms:
        queryset = queryset.filter(**{f"{user}search_text__contains": term})
    return queryset
