"""Demo end customers of the two resellers, with portal users and to-dos, made by the resellers' owners through
the services, so the demo starts with activity to show."""

import datetime

from django.utils import timezone

from accounts.demo import owner_actor
from accounts.models import Account
from core.demo_loading import DEMO_PASSWORD
from customers import services
from customers.models import EndCustomer, PortalUser, Todo
from users.models import User

CUSTOMERS = {
    "10001": [
        (
            "K-1001",
            "Blumen Sonnenschein GmbH",
            "Sommer",
            "Lena",
            "Gartenweg 4",
            "10115",
            "Berlin",
            "030 1234567",
            "0151 23456789",
            "info@blumen-sonnenschein.test",
            "www.blumen-sonnenschein.test",
        ),
        (
            "K-1002",
            "",
            "Öztürk",
            "Deniz",
            "Hauptstraße 12",
            "50667",
            "Köln",
            "0221 998877",
            "0170 1112233",
            "deniz.oeztuerk@example.test",
            "",
        ),
        (
            "K-1003",
            "Tischlerei Holzwurm",
            "Berger",
            "Jonas",
            "Am Sägewerk 1",
            "80331",
            "München",
            "089 445566",
            "0160 9988776",
            "kontakt@holzwurm.test",
            "holzwurm.test",
        ),
        (
            "K-1004",
            "Praxis Dr. Weiß",
            "Weiß",
            "Claudia",
            "Lindenallee 7",
            "20095",
            "Hamburg",
            "040 3344556",
            "0171 4455667",
            "praxis@dr-weiss.test",
            "https://dr-weiss.test",
        ),
        (
            "K-1005",
            "",
            "Nowak",
            "Piotr",
            "Rosenstraße 23",
            "01067",
            "Dresden",
            "0351 778899",
            "0152 26677889",
            "p.nowak@example.test",
            "",
        ),
        (
            "K-1006",
            "Café Zuckerhut",
            "Meier",
            "Sabine",
            "Marktplatz 2",
            "69117",
            "Heidelberg",
            "06221 123456",
            "0157 71234321",
            "hallo@cafe-zuckerhut.test",
            "www.cafe-zuckerhut.test",
        ),
        (
            "W-2001",
            "Wiener Werkstatt OG",
            "Huber",
            "Florian",
            "Mariahilfer Straße 88",
            "1060",
            "Wien",
            "+43 1 5867788",
            "+43 664 1234567",
            "office@wiener-werkstatt.test",
            "",
        ),
    ],
    "10003": [
        (
            "M-1",
            "Musterfirma AG",
            "Muster",
            "Max",
            "Musterweg 1",
            "04109",
            "Leipzig",
            "0341 112233",
            "0176 2233445",
            "max@musterfirma.test",
            "",
        ),
    ],
}


def load():
    for number, rows in CUSTOMERS.items():
        account = Account.objects.get(number=number)
        actor = owner_actor(account)
        for row in rows:
            values = dict(
                zip(
                    (
                        "number",
                        "company",
                        "last_name",
                        "first_name",
                        "street",
                        "postal_code",
                        "city",
                        "phone",
                        "mobile",
                        "email",
                        "website",
                    ),
                    row,
                    strict=True,
                )
            )
            if EndCustomer.objects.filter(account=account, number=values["number"]).exists():
                continue
            country = "AT" if values["postal_code"] == "1060" else "DE"
            services.create_end_customer(actor, EndCustomer(country=country, **values))
    reseller = Account.objects.get(number="10001")
    lena = EndCustomer.objects.get(account=reseller, number="K-1001")
    if not User.objects.filter(username="lena.sommer").exists():
        user = User(
            username="lena.sommer", first_name="Lena", last_name="Sommer", email="lena@blumen-sonnenschein.test"
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        PortalUser.objects.create(user=user, end_customer=lena)
    if not Todo.objects.filter(end_customer__account=reseller).exists():
        actor = owner_actor(reseller)
        rita = User.objects.get(username="reseller")
        today = timezone.localdate()
        todos = [
            (lena, "Angebot Webshop nachfassen", today - datetime.timedelta(days=2), rita),
            (lena, "SSL-Zertifikat prüfen", today + datetime.timedelta(days=7), rita),
            (
                EndCustomer.objects.get(account=reseller, number="K-1003"),
                "Domainumzug besprechen",
                today + datetime.timedelta(days=3),
                User.objects.get(username="mitarbeiter"),
            ),
        ]
        for customer, title, due_date, assignee in todos:
            services.save_todo(actor, Todo(title=title, due_date=due_date, assignee=assignee), customer)
    return [("lena.sommer", "portal user of end customer K-1001 on the white-label portal, like endkunde")]
