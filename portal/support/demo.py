"""The demo data of what was one app, ``support``: the contact messages, then the change
requests. Kept until the demo data moves to ``portal.site``, which names the apps'
demo modules itself."""


def load(counter, orgs, staff):
    from portal.changes import demo as changes_demo
    from portal.contact import demo as contact_demo

    contact_demo.load(counter, orgs, staff)
    changes_demo.load(counter, orgs, staff)
