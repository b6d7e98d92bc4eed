"""Timeline, failure reasons and server-check notes as codes and parameters (``hosting.messages``) instead of
text in the language of whoever wrote them.

The data migration maps the text the job and the services wrote so far, in English or German, to codes: the
wording below is theirs as it was (``hosting.messages`` words the codes from now on). What it cannot map stays
text: an event keeps its ``message``, a reason or note becomes a ``text`` message.
"""

import re

from django.db import migrations, models

# The wording as it was: code, English, German.
MESSAGES = [
    ("queued", "Queued.", "In die Warteschlange gestellt."),
    ("queued_retry", "Queued again (retry).", "Erneut in die Warteschlange gestellt (neuer Versuch)."),
    (
        "queued_login_corrected",
        "Queued again: the Plesk login was corrected.",
        "Erneut eingereiht: Der Plesk-Login wurde korrigiert.",
    ),
    ("queued_corrected", "Corrected and queued again.", "Korrigiert und erneut in die Warteschlange gestellt."),
    (
        "queued_cancel",
        "Cancellation queued: what the portal created for it on the server is removed.",
        "Stornierung in die Warteschlange gestellt: Was das Portal dafür auf dem Server angelegt hat, wird entfernt.",
    ),
    ("started", "Attempt %(n)s started.", "Versuch %(n)s gestartet."),
    (
        "adopted_customer",
        "Adopted the existing Plesk customer %(login)s.",
        "Vorhandenen Plesk-Kunden %(login)s übernommen.",
    ),
    (
        "adopted_subscription",
        "Adopted the existing subscription %(name)s.",
        "Vorhandenes Abonnement %(name)s übernommen.",
    ),
    ("customer_kept", "The Plesk customer %(login)s stays: %(reason)s", "Der Plesk-Kunde %(login)s bleibt: %(reason)s"),
    ("succeeded", "The subscription %(name)s is active.", "Das Abonnement %(name)s ist aktiv."),
    (
        "linked",
        "Linked to the existing subscription %(name)s; nothing was changed on the server.",
        "Mit dem bestehenden Abonnement %(name)s verknüpft; auf dem Server wurde nichts geändert.",
    ),
    ("cancelled", "The hosting is cancelled.", "Das Hosting ist storniert."),
    (
        "mail_failed",
        "The account summary e-mail could not be queued.",
        "Die E-Mail mit der Kontozusammenfassung konnte nicht in die Warteschlange gestellt werden.",
    ),
    ("retry_at", "%(reason)s Next attempt at %(time)s.", "%(reason)s Nächster Versuch: %(time)s."),
    ("gave_up", "%(reason)s Gave up after %(n)s attempts.", "%(reason)s Nach %(n)s Versuchen aufgegeben."),
    ("not_created_by_portal", "the portal did not create it.", "das Portal hat ihn nicht angelegt."),
    ("used_by_other_hostings", "other hostings of the customer use it.", "andere Hostings des Kunden nutzen ihn."),
    ("has_subscriptions", "it has other subscriptions on the server.", "er hat weitere Abonnements auf dem Server."),
    (
        "not_permitted",
        "Not permitted: the customer, product and contract do not belong together.",
        "Nicht zulässig: Kunde, Produkt und Vertrag gehören nicht zusammen.",
    ),
    (
        "not_connected",
        "The reseller contract is not connected to a Plesk server.",
        "Der Reseller-Vertrag ist mit keinem Plesk-Server verbunden.",
    ),
    (
        "server_error",
        "The Plesk server reported an internal error.",
        "Der Plesk-Server hat einen internen Fehler gemeldet.",
    ),
    ("refused", "Step %(step)s of 2: Plesk refused: %(text)s", "Schritt %(step)s von 2: Plesk hat abgelehnt: %(text)s"),
    (
        "certificate",
        "The Plesk server's certificate is not trusted.",
        "Dem Zertifikat des Plesk-Servers wird nicht vertraut.",
    ),
    ("unreachable", "The Plesk server could not be reached.", "Der Plesk-Server ist nicht erreichbar."),
    (
        "no_usable_answer",
        "The Plesk server did not answer usably.",
        "Der Plesk-Server hat keine verwertbare Antwort geliefert.",
    ),
    (
        "login_taken",
        "Step 1 of 2: the Plesk login %(login)s is taken by someone else.",
        "Schritt 1 von 2: Der Plesk-Login %(login)s ist bereits anderweitig vergeben.",
    ),
    (
        "customer_unconfirmed",
        "Step 1 of 2: the Plesk server did not confirm the new customer.",
        "Schritt 1 von 2: Der Plesk-Server hat den neuen Kunden nicht bestätigt.",
    ),
    (
        "domain_taken",
        "Step 2 of 2: the domain %(name)s already exists on the server.",
        "Schritt 2 von 2: Die Domain %(name)s ist auf dem Server bereits vorhanden.",
    ),
    (
        "subscription_unconfirmed",
        "Step 2 of 2: the Plesk server did not confirm the new subscription.",
        "Schritt 2 von 2: Der Plesk-Server hat das neue Abonnement nicht bestätigt.",
    ),
    (
        "internal_error",
        "An internal error occurred; the attempt will be repeated.",
        "Ein interner Fehler ist aufgetreten; der Versuch wird wiederholt.",
    ),
    (
        "paused",
        "Paused: the reseller's Plesk login was refused. Nothing is tried until the provider has corrected it; then the setup continues by itself.",
        "Angehalten: Der Plesk-Login des Resellers wurde abgelehnt. Bis der Provider ihn korrigiert hat, wird nichts versucht; danach geht die Einrichtung von selbst weiter.",
    ),
    ("cancel_failed", "Cancelling failed: %(reason)s", "Stornierung fehlgeschlagen: %(reason)s"),
    (
        "cancel_login_refused",
        "The reseller's Plesk login was refused; cancel again once the provider has corrected it.",
        "Die Plesk-Anmeldung des Resellers wurde abgelehnt; stornieren Sie erneut, sobald der Provider sie korrigiert hat.",
    ),
    ("removal_refused", "Plesk refused the removal: %(text)s", "Plesk hat das Entfernen abgelehnt: %(text)s"),
    (
        "subscription_removal_unconfirmed",
        "The Plesk server did not confirm the removal of the subscription.",
        "Der Plesk-Server hat das Entfernen des Abonnements nicht bestätigt.",
    ),
    (
        "customer_removal_unconfirmed",
        "The Plesk server did not confirm the removal of the Plesk customer.",
        "Der Plesk-Server hat das Entfernen des Plesk-Kunden nicht bestätigt.",
    ),
]
NOTES = [
    (
        "missing",
        "The subscription no longer exists on the server.",
        "Das Abonnement existiert auf dem Server nicht mehr.",
    ),
    ("renamed", "Renamed on the server to %(name)s.", "Auf dem Server umbenannt in %(name)s."),
    (
        "moved",
        "Moved to another Plesk customer on the server.",
        "Auf dem Server zu einem anderen Plesk-Kunden verschoben.",
    ),
    (
        "plan_differs",
        "Uses the service plan %(plan)s on the server instead of %(expected)s.",
        "Nutzt auf dem Server den Serviceplan %(plan)s statt %(expected)s.",
    ),
    ("suspended", "Suspended on the server.", "Auf dem Server gesperrt."),
    ("matches_again", "Matches the server again.", "Stimmt wieder mit dem Server überein."),
    ("active_again", "Active on the server again.", "Auf dem Server wieder aktiv."),
]
CALLS = [
    ("done", "%(call)s: done.", "%(call)s: erledigt."),
    ("login_refused", "%(call)s: login refused.", "%(call)s: Anmeldung abgelehnt."),
    (
        "server_error",
        "%(call)s: server error (HTTP %(status)s): %(text)s",
        "%(call)s: Serverfehler (HTTP %(status)s): %(text)s",
    ),
    ("exists", "%(call)s: already exists.", "%(call)s: existiert bereits."),
    ("gone", "%(call)s: already gone.", "%(call)s: schon entfernt."),
    ("plesk_error", "%(call)s: Plesk error %(code)s: %(text)s", "%(call)s: Plesk-Fehler %(code)s: %(text)s"),
    ("certificate", "%(call)s: certificate not trusted.", "%(call)s: Zertifikat nicht vertrauenswürdig."),
    ("unreachable", "%(call)s: server not reachable.", "%(call)s: Server nicht erreichbar."),
    ("unknown", "%(call)s: outcome unknown.", "%(call)s: Ergebnis unbekannt."),
]


# What the job was doing, by the Plesk operations it named.
STEPS = {
    "customer get, webspace get": "lookup",
    "customer get": "find_customer",
    "webspace get": "find_subscription",
    "customer add": "customer_add",
    "webspace add": "webspace_add",
    "webspace del": "webspace_del",
    "customer del": "customer_del",
}
NO_DOMAIN = ("(no domain yet)", "(noch keine Domain)")
NESTED = {"reason", "why"}
NUMBERS = {"n", "step", "status", "code"}


def _pattern(template, tail):
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)" for index, part in enumerate(parts))
    return re.compile(f"^{regex}{tail}", re.S)


def _compiled(table, tail):
    return [(code, _pattern(template, tail)) for code, *templates in table for template in templates]


WHOLE = _compiled(MESSAGES + NOTES, "$")
CALL = _compiled(CALLS, "$")
# A note is followed by the next one, after a space, or ends the text.
NOTE = _compiled(NOTES, "(?= |$)")


def _params(code, found):
    params = {}
    for key, value in found.groupdict().items():
        if key in NESTED:
            params["why" if code == "customer_kept" else key] = to_message(value)
        elif key == "name" and value in NO_DOMAIN:
            params[key] = ""
        elif key in NUMBERS and value.isdigit():
            params[key] = int(value)
        else:
            params[key] = value
    return params


def to_message(text):
    """The message the text says, or ``None``."""
    text = text.strip()
    for outcome, pattern in CALL:
        found = pattern.match(text)
        if found and found["call"] in STEPS:
            params = {key: value for key, value in found.groupdict().items() if key != "call"}
            return {"code": "call", "params": {"step": STEPS[found["call"]], "outcome": outcome, **params}}
    for code, pattern in WHOLE:
        found = pattern.match(text)
        if found:
            return {"code": code, "params": _params(code, found)}
    return None


def to_notes(text):
    """The server-check notes a text strings together, or ``None`` when any part is not one."""
    notes, rest = [], text.strip()
    while rest:
        for code, pattern in NOTE:
            found = pattern.match(rest)
            if found:
                notes.append({"code": code, "params": _params(code, found)})
                rest = rest[found.end() :].strip()
                break
        else:
            return None
    return notes


def _text(text):
    return {"code": "text", "params": {"text": text}}


def to_codes(apps, schema_editor):
    ResellerHosting = apps.get_model("hosting", "ResellerHosting")
    ProvisioningEvent = apps.get_model("hosting", "ProvisioningEvent")
    events = []
    for event in ProvisioningEvent.objects.exclude(message="").filter(code="").iterator(chunk_size=2000):
        if event.kind == "server_check":
            notes = to_notes(event.message)
            message = {"code": "notes", "params": {"notes": notes}} if notes else None
        else:
            message = to_message(event.message)
        if message:
            event.code, event.params = message["code"], message["params"]
            events.append(event)
    ProvisioningEvent.objects.bulk_update(events, ["code", "params"], batch_size=2000)
    hostings = []
    for hosting in ResellerHosting.objects.exclude(failure_reason="", drift="").iterator(chunk_size=2000):
        if hosting.failure_reason:
            hosting.failure = to_message(hosting.failure_reason) or _text(hosting.failure_reason)
        if hosting.drift:
            hosting.drift_notes = to_notes(hosting.drift) or [_text(hosting.drift)]
        hostings.append(hosting)
    ResellerHosting.objects.bulk_update(hostings, ["failure", "drift_notes"], batch_size=2000)


def to_text(apps, schema_editor):
    """Back: the reasons and notes in English words (the events kept their text)."""
    ResellerHosting = apps.get_model("hosting", "ResellerHosting")
    english = {code: template for code, template, _german in MESSAGES + NOTES}

    def words(message):
        if message.get("code") == "text":
            return message["params"]["text"]
        params = {k: words(v) if isinstance(v, dict) else v for k, v in message.get("params", {}).items()}
        params = {"reason" if k == "why" else k: v for k, v in params.items()}
        return english.get(message.get("code"), "") % params

    for hosting in ResellerHosting.objects.all().iterator(chunk_size=2000):
        hosting.failure_reason = words(hosting.failure)[:500] if hosting.failure else ""
        hosting.drift = " ".join(words(note) for note in hosting.drift_notes)[:500]
        hosting.save(update_fields=["failure_reason", "drift"])


class Migration(migrations.Migration):
    dependencies = [
        ("hosting", "0004_cancel"),
    ]

    operations = [
        migrations.AddField(
            model_name="provisioningevent",
            name="code",
            field=models.CharField(blank=True, max_length=40, verbose_name="code"),
        ),
        migrations.AddField(
            model_name="provisioningevent",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
        migrations.AddField(
            model_name="resellerhosting",
            name="drift_notes",
            field=models.JSONField(blank=True, default=list, verbose_name="differences on the server"),
        ),
        migrations.AddField(
            model_name="resellerhosting",
            name="failure",
            field=models.JSONField(blank=True, default=dict, verbose_name="reason"),
        ),
        migrations.RunPython(to_codes, to_text),
        migrations.RemoveField(
            model_name="resellerhosting",
            name="drift",
        ),
        migrations.RemoveField(
            model_name="resellerhosting",
            name="failure_reason",
        ),
    ]
