"""Demo data: a realistic customer book in Québec, Ontario, France and the US, and one user per role.

Everything goes through the services (create_customer, add_address, add_contact, add_note), so the demo
book obeys every rule a person or the API would meet. The book is the same on every run: one seeded random
generator makes every choice. Phone numbers come from the ranges reserved for fiction (NANP 555-0100 to
555-0199, ARCEP's 01 99 00, 02 61 91…), so no real business is ever called from a demo screen.
"""

import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.fr import siren as stdnum_siren

from carnet.accounts import services as accounts
from carnet.accounts.models import User
from carnet.accounts.roles import Role

from . import services
from .choices import Status
from .models import Customer
from .search import fold
from .validators import normalise_phone

SEED = 20261122
DEFAULT_COUNT = 240
DEMO_PASSWORD = "carnet-demo"
DEMO_USERS: tuple[tuple[str, str], ...] = (
    ("admin", Role.ADMIN),
    ("controller", Role.CREDIT_CONTROLLER),
    ("accountant", Role.ACCOUNTANT),
    ("operator", Role.OPERATOR),
    ("viewer", Role.VIEWER),
)


# --- places ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    name: str
    province: str
    postal: tuple[str, ...]  # Canada: forward sortation areas; elsewhere whole postal codes
    area_codes: tuple[str, ...]  # NANP area codes, or the French region digit
    sector: str  # the external code of the sales territory


QC = (
    City("Montréal", "QC", ("H2X", "H3B", "H1N", "H4N", "H4T", "H1P"), ("514", "438"), "MTL"),
    City("Laval", "QC", ("H7N", "H7T", "H7L"), ("450", "579", "354"), "MTL"),
    City("Longueuil", "QC", ("J4K", "J4G", "J4N"), ("450", "579", "354"), "MTL"),
    City("Boucherville", "QC", ("J4B",), ("450", "579", "354"), "MTL"),
    City("Terrebonne", "QC", ("J6W", "J6Y"), ("450", "579", "354"), "NORD"),
    City("Saint-Jérôme", "QC", ("J7Y", "J7Z"), ("450", "579", "354"), "NORD"),
    City("Québec", "QC", ("G1K", "G1N", "G2C", "G1P"), ("418", "581", "367"), "EST"),
    City("Lévis", "QC", ("G6V", "G6W"), ("418", "581", "367"), "EST"),
    City("Saint-Georges", "QC", ("G5Y", "G5Z"), ("418", "581", "367"), "EST"),
    City("Rimouski", "QC", ("G5L", "G5M"), ("418", "581", "367"), "EST"),
    City("Saguenay", "QC", ("G7H", "G7B"), ("418", "581", "367"), "NORD"),
    City("Sherbrooke", "QC", ("J1H", "J1L", "J1E"), ("819", "873"), "SUD"),
    City("Granby", "QC", ("J2G", "J2J"), ("450", "579", "354"), "SUD"),
    City("Saint-Hyacinthe", "QC", ("J2S", "J2T"), ("450", "579", "354"), "SUD"),
    City("Drummondville", "QC", ("J2B", "J2C"), ("819", "873"), "CENTRE"),
    City("Trois-Rivières", "QC", ("G9A", "G8T", "G8Z"), ("819", "873"), "CENTRE"),
    City("Gatineau", "QC", ("J8X", "J8Y", "J9J"), ("819", "873"), "OUEST"),
)
ON = (
    City("Toronto", "ON", ("M5V", "M4W", "M9W", "M1B", "M6K"), ("416", "647", "437"), "ONT"),
    City("Mississauga", "ON", ("L5T", "L4W", "L5N"), ("905", "289", "365"), "ONT"),
    City("Brampton", "ON", ("L6T", "L6S"), ("905", "289", "365"), "ONT"),
    City("Vaughan", "ON", ("L4K", "L4L"), ("905", "289", "365"), "ONT"),
    City("Hamilton", "ON", ("L8P", "L8H", "L8E"), ("905", "289", "365"), "ONT"),
    City("Ottawa", "ON", ("K1P", "K2E", "K1G"), ("613", "343"), "OUEST"),
    City("Kingston", "ON", ("K7L", "K7M"), ("613", "343"), "ONT"),
    City("Cornwall", "ON", ("K6H", "K6J"), ("613", "343"), "OUEST"),
    City("London", "ON", ("N6A", "N5V"), ("519", "226"), "ONT"),
    City("Kitchener", "ON", ("N2G", "N2C"), ("519", "226", "548"), "ONT"),
    City("Windsor", "ON", ("N9A", "N8W"), ("519", "226", "548"), "ONT"),
    City("Barrie", "ON", ("L4N", "L4M"), ("705", "249"), "ONT"),
    City("Sudbury", "ON", ("P3A", "P3B"), ("705", "249"), "NORD"),
    City("Thunder Bay", "ON", ("P7B", "P7A"), ("807",), "NORD"),
)
FR = (
    City("Paris", "", ("75010", "75011", "75012", "75013", "75015", "75019"), ("1",), "EUROPE"),
    City("Rungis", "", ("94150",), ("1",), "EUROPE"),
    City("Gennevilliers", "", ("92230",), ("1",), "EUROPE"),
    City("Villepinte", "", ("93420",), ("1",), "EUROPE"),
    City("Lyon", "", ("69003", "69007", "69008", "69009"), ("4",), "EUROPE"),
    City("Saint-Priest", "", ("69800",), ("4",), "EUROPE"),
    City("Grenoble", "", ("38000", "38100"), ("4",), "EUROPE"),
    City("Marseille", "", ("13002", "13010", "13015"), ("4",), "EUROPE"),
    City("Lille", "", ("59000", "59160"), ("3",), "EUROPE"),
    City("Strasbourg", "", ("67000", "67100"), ("3",), "EUROPE"),
    City("Reims", "", ("51100",), ("3",), "EUROPE"),
    City("Nantes", "", ("44000", "44300"), ("2",), "EUROPE"),
    City("Rennes", "", ("35000", "35200"), ("2",), "EUROPE"),
    City("Rouen", "", ("76000", "76100"), ("2",), "EUROPE"),
    City("Le Havre", "", ("76600",), ("2",), "EUROPE"),
    City("Bordeaux", "", ("33000", "33300"), ("5",), "EUROPE"),
    City("Toulouse", "", ("31000", "31200"), ("5",), "EUROPE"),
)
US = (
    City("New York", "NY", ("10001", "10013", "10018"), ("212", "646"), "USA"),
    City("Buffalo", "NY", ("14202", "14206", "14210"), ("716",), "USA"),
    City("Plattsburgh", "NY", ("12901",), ("518",), "USA"),
    City("Albany", "NY", ("12205", "12207"), ("518",), "USA"),
    City("Burlington", "VT", ("05401", "05403"), ("802",), "USA"),
    City("Portland", "ME", ("04101", "04103"), ("207",), "USA"),
    City("Boston", "MA", ("02110", "02118", "02127"), ("617",), "USA"),
    City("Newark", "NJ", ("07102", "07105"), ("973",), "USA"),
    City("Philadelphia", "PA", ("19106", "19148"), ("215", "267"), "USA"),
    City("Pittsburgh", "PA", ("15201", "15222"), ("412",), "USA"),
    City("Cleveland", "OH", ("44113", "44114"), ("216",), "USA"),
    City("Columbus", "OH", ("43215", "43219"), ("614",), "USA"),
    City("Detroit", "MI", ("48201", "48209", "48226"), ("313",), "USA"),
    City("Chicago", "IL", ("60607", "60632", "60638"), ("312", "773"), "USA"),
    City("Indianapolis", "IN", ("46204", "46241"), ("317",), "USA"),
    City("Minneapolis", "MN", ("55401", "55413"), ("612",), "USA"),
    City("Charlotte", "NC", ("28202", "28208"), ("704",), "USA"),
    City("Atlanta", "GA", ("30303", "30336"), ("404",), "USA"),
    City("Memphis", "TN", ("38103", "38118"), ("901",), "USA"),
    City("Dallas", "TX", ("75201", "75247"), ("214",), "USA"),
)

# The French numbering plan's blocks reserved for fiction, by region digit.
FRENCH_FICTION_BLOCKS = {"1": "9900", "2": "6191", "3": "5301", "4": "6571", "5": "3649"}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _items(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


# --- names -----------------------------------------------------------------------------------------

FAMILIES = {
    "qc": _words(
        "Tremblay Gagnon Roy Côté Bouchard Gauthier Morin Lavoie Fortin Gagné Ouellet Pelletier Bélanger "
        "Lévesque Bergeron Paquette Girard Simard Boucher Caron Beaulieu Cloutier Dubé Poirier Fournier "
        "Lapointe Leclerc Poulin Thibault Nadeau Landry Martel Bédard Grenier Lessard Bernier Michaud "
        "Hébert Desjardins Couture Turcotte Lachance Gosselin Savard Proulx Beaudoin Demers Perreault Boivin "
        "Guay Mercier Vachon Labbé Gingras Rioux Drouin Veilleux"
    ),
    "fr": _words(
        "Dupont Moreau Lambert Bonnet Fontaine Vincent Muller Lefèvre Faure André Blanc Guérin Boyer Garnier "
        "Chevalier Legrand Perrin Robin Clément Nicolas Henry Roussel Mathieu Masson Marchand Duval Denis "
        "Dumont Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Brunet Gaillard Barbier "
        "Arnaud Gérard Roche Renard Schmitt Leroux Colin Vidal Picard Aubert Lemoine"
    ),
    "on": _words(
        "Smith MacDonald Campbell Thompson Wilson Anderson Taylor Mitchell Fraser Stewart Reid Murray "
        "Robertson Kelly Graham Patel Singh Chen Wong Kowalski DiMarco Sullivan Harrison Bennett Wallace "
        "Henderson Gill Morrison Sinclair McLean Ferguson Dhillon Romano Costa Novak Boyd"
    ),
    "us": _words(
        "Johnson Miller Davis Garcia Rodriguez Martinez Hernandez Lopez Jackson Harris Clark Lewis Walker "
        "Hall Allen Young King Wright Scott Baker Adams Nelson Carter Roberts Turner Phillips Parker Evans "
        "Edwards Collins Murphy Rivera Cooper Kowalczyk Brennan Russo"
    ),
}
PLACES = {
    "qc": _items(
        "Laurentides|Beauce|Saguenay|Chaudière|Richelieu|Bellechasse|Mauricie|Outaouais|Estrie|Lanaudière|"
        "Montérégie|Portneuf|Charlevoix|Rive-Sud|Boréal|Saint-Laurent|Nord-Côtier|Yamaska"
    ),
    "fr": _items(
        "Rhône|Loire|Alpes|Atlantique|Provence|Normandie|Bretagne|Artois|Dauphiné|Garonne|Val de Seine|"
        "Picardie|Vosges|Anjou|Flandres|Armor|Champagne|Lorraine"
    ),
    "on": _items(
        "Lakeshore|Niagara|Georgian Bay|Ottawa Valley|Huron|Muskoka|Trillium|Northshore|Grand River|Rideau|"
        "Kawartha|Algonquin|Frontenac|Golden Horseshoe|Superior|Bluewater"
    ),
    "us": _items(
        "Great Lakes|Keystone|Empire|Midwest|Bay State|Gateway|Ohio Valley|Hudson|Allegheny|Piedmont|"
        "Heartland|Prairie|Tri-State|Liberty|Summit|Blue Ridge|Champlain|Lone Star"
    ),
}
# {F}: a family name, {P}: a place. By trade: carriers, manufacturers, contractors, distributors.
FRENCH_TRADES = {
    "carrier": _items(
        "Transports {F}|Camionnage {F}|Messageries {P}|Transport {F} et Fils|Logistique {P}|Express {P}|"
        "Entreposage {F}"
    ),
    "manufacturer": _items(
        "Usinage {F}|Métal {P}|Plastiques {P}|Emballages {F}|Portes et fenêtres {P}|Fabrication {F}|"
        "Ébénisterie {F}|Aciers {P}|Fonderie {F}"
    ),
    "contractor": _items(
        "Construction {F}|Excavation {F}|Toitures {P}|Béton {P}|Électricité {F}|Plomberie {F}|Pavage {P}|"
        "Entreprises {F}|Charpentes {P}"
    ),
    "distributor": _items(
        "Distribution {P}|Fournitures industrielles {P}|Matériaux {F}|Quincaillerie {F}|Équipements {P}|"
        "Boulons et attaches {P}|Grossiste {F}"
    ),
}
ENGLISH_TRADES = {
    "carrier": _items(
        "{F} Trucking|{F} Freight Lines|{P} Logistics|{P} Express|{F} Transport|{P} Cartage|{F} Bros. Hauling"
    ),
    "manufacturer": _items(
        "{P} Steel Fabricators|{P} Plastics|{F} Machining|{P} Packaging|{F} Tool & Die|{P} Millwork|"
        "{P} Castings|{F} Manufacturing"
    ),
    "contractor": _items(
        "{F} Construction|{F} Contracting|{P} Paving|{F} Roofing|{F} Mechanical|{F} Electric|"
        "{P} Excavating|{F} & Sons Builders"
    ),
    "distributor": _items(
        "{P} Industrial Supply|{P} Building Products|{F} Distribution|{P} Wholesale|{F} Fasteners|"
        "{P} Equipment|{P} Safety Supply"
    ),
}
SUFFIXES = {
    "qc": (" inc.", " inc.", " inc.", " ltée", ""),
    "fr": (" SAS", " SAS", " SARL", " SA"),
    "on": (" Inc.", " Inc.", " Ltd.", " Limited", ""),
    "us": (" Inc.", " LLC", " LLC", " Corp.", " Co."),
}
FIRST_NAMES = {
    "qc": _words(
        "Marie Sylvie Julie Isabelle Nathalie Chantal Geneviève Mélanie Josée Caroline Annie Karine "
        "Jean Pierre Luc Martin Éric Stéphane François Sébastien Marc Patrick Alain Louis Mathieu Simon"
    ),
    "fr": _words(
        "Camille Sophie Claire Émilie Céline Aurélie Nathalie Isabelle Élodie Sandrine "
        "Nicolas Julien Thomas Olivier Philippe Christophe Laurent Vincent Guillaume Antoine Yann Jérôme"
    ),
    "on": _words(
        "Sarah Jennifer Emily Jessica Laura Karen Michelle Rachel Megan Priya Amanda "
        "Michael David James Robert Kevin Brian Steven Mark Andrew Paul Jason Ryan Raj"
    ),
    "us": _words(
        "Sarah Jennifer Emily Jessica Ashley Karen Linda Michelle Maria Amanda "
        "Michael David James Robert Kevin Brian Steven Mark Andrew Carlos Tyler Brandon"
    ),
}
ROLES_FR = (
    "Comptes payables",
    "Achats",
    "Direction générale",
    "Logistique",
    "Comptabilité",
    "Service à la clientèle",
    "Répartition",
)
ROLES_EN = (
    "Accounts payable",
    "Purchasing",
    "General manager",
    "Operations",
    "Controller",
    "Shipping and receiving",
    "Dispatch",
)
STREETS = {
    "qc": _items(
        "rue Principale|boulevard Industriel|rue de l'Industrie|rue Notre-Dame|chemin du Roy|"
        "rue des Érables|boulevard Saint-Laurent|rue Saint-Joseph|avenue du Parc|rue des Pionniers|"
        "route 116|boulevard de la Rive-Sud|rue Jean-Talon|rue du Commerce"
    ),
    "fr": _items(
        "rue de la République|avenue Jean Jaurès|rue Victor Hugo|avenue du Général de Gaulle|"
        "rue de l'Industrie|rue des Artisans|boulevard Pasteur|rue de la Gare|rue du Commerce|"
        "allée des Frères Lumière|chemin des Vignes|quai de la Loire"
    ),
    "en": _items(
        "King Street|Queen Street|Main Street|Industrial Parkway|Commerce Drive|Railside Road|"
        "Lakeshore Boulevard|Harbour Street|Mill Road|Station Avenue|Enterprise Way|Steeles Avenue|"
        "Airport Road|River Road"
    ),
}
FRENCH_AREAS = ("Zone industrielle des Bruyères", "ZA du Moulin", "Parc d'activités des Chênes", "ZI Nord")
SECOND_SITES = {
    "fr": ("Entrepôt", "Usine 2", "Chantier", "Centre de distribution", "Quai de chargement"),
    "en": ("Warehouse", "Plant 2", "Yard", "Distribution centre", "Job site"),
}

# --- statuses, reasons and notes ---------------------------------------------------------------------

STATUS_WEIGHTS = (
    (Status.APPROVED, 70),
    (Status.PROSPECT, 9),
    (Status.NOT_APPROVED, 4),
    (Status.WARNING, 7),
    (Status.BLOCKED, 6),
    (Status.CLOSED, 4),
)
REASONS: dict[str, dict[str, tuple[str, ...]]] = {
    Status.NOT_APPROVED: {
        "fr": ("Références de crédit à vérifier", "Demande d'ouverture de compte incomplète", ""),
        "en": ("Credit references to check", "Credit application incomplete", ""),
    },
    Status.WARNING: {
        "fr": _items(
            "2 factures à plus de 45 jours|Retards de paiement répétés : surveiller|"
            "Limite de crédit presque atteinte|Chèque sans provision en mars"
        ),
        "en": _items(
            "2 invoices over 45 days|Repeated late payments: watch|Credit limit nearly reached|"
            "NSF cheque in March"
        ),
    },
    Status.BLOCKED: {
        "fr": _items(
            "3 factures à plus de 60 jours|Chèque sans provision : paiement certifié exigé|"
            "Dossier transmis au recouvrement|Solde en souffrance de plus de 90 jours"
        ),
        "en": _items(
            "3 invoices over 60 days|Returned cheque (NSF): certified funds only|"
            "Account sent to collections|Balance over 90 days past due"
        ),
    },
    Status.CLOSED: {
        "fr": ("Entreprise fermée", "Fusionné avec un autre client", "Aucune activité depuis 2023"),
        "en": ("Out of business", "Merged into another customer", "No activity since 2023"),
    },
}
MEMOS = {
    "fr": _items(
        "Paie toujours le 15 du mois.|Bon de commande obligatoire sur chaque facture.|"
        "Livraisons de 7 h à 15 h seulement, quai n° 3.|Dépôt de 30 % exigé sur les commandes spéciales.|"
        "Envoyer les factures à l'adresse des comptes payables, jamais au chantier.|"
        "Paiement à la livraison tant que le solde n'est pas régularisé.|"
        "Appeler avant chaque livraison : accès par camion-remorque impossible."
    ),
    "en": _items(
        "Always pays on the 15th.|PO number required on every invoice.|"
        "Deliveries 7 am to 3 pm only, dock 3.|30% deposit on special orders.|"
        "Invoices to the accounts payable address, never to the job site.|"
        "COD until the account is brought current.|"
        "Call before every delivery: no access for 53-foot trailers."
    ),
}
NOTES = {
    "fr": (
        ("credit", "Limite révisée après analyse des états financiers."),
        ("billing", "Demande des factures en PDF, une par courriel."),
        ("delivery", "Rampe de chargement fermée le vendredi après-midi."),
        ("sales", "Intéressé par un contrat annuel ; rappeler en septembre."),
        ("general", "Nouveau directeur des achats depuis janvier."),
    ),
    "en": (
        ("credit", "Limit reviewed after the financial statements came in."),
        ("billing", "Wants PDF invoices, one per email."),
        ("delivery", "Loading dock closed Friday afternoons."),
        ("sales", "Interested in a yearly contract; call back in September."),
        ("general", "New purchasing manager since January."),
    ),
}


@dataclass(frozen=True)
class Region:
    key: str  # qc, on, fr, us
    country: str
    cities: tuple[City, ...]
    share: float


REGIONS = (
    Region("qc", "CA", QC, 0.375),
    Region("on", "CA", ON, 0.25),
    Region("fr", "FR", FR, 0.21),
    Region("us", "US", US, 0.165),
)


@dataclass
class DemoResult:
    customers: int = 0
    addresses: int = 0
    contacts: int = 0
    notes: int = 0
    invoices: int = 0
    payments: int = 0
    orders: int = 0
    holds: int = 0
    seconds: float = 0.0
    users: list[tuple[str, str, bool]] = field(default_factory=list)  # (username, role, created now)


# --- the generator ---------------------------------------------------------------------------------


class _BookMaker:
    """Makes the demo book's records as plain data, one customer at a time, from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        # The example customer of the API guide is added by name; no generated one may look like it.
        self.names: set[str] = {"Transports Laurentides"}
        self.phones: set[str] = set()

    def pick(self, items: Sequence[Any]) -> Any:
        return items[self.rng.randrange(len(items))]

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    # names -------------------------------------------------------------------------------------------
    def company_name(self, region: Region) -> tuple[str, str]:
        trades = ENGLISH_TRADES if region.key in {"on", "us"} else FRENCH_TRADES
        while True:
            trade = self.pick(tuple(trades))
            base = (
                self.pick(trades[trade])
                .replace("{F}", self.pick(FAMILIES[region.key]))
                .replace("{P}", self.pick(PLACES[region.key]))
            )
            if base not in self.names:
                self.names.add(base)
                return base + self.pick(SUFFIXES[region.key]), trade

    @staticmethod
    def domain(name: str, region: Region) -> str:
        words = [w for w in re.sub(r"[^a-z0-9 ]", " ", fold(name)).split() if w not in _DOMAIN_NOISE]
        tld = {"qc": "ca", "on": "ca", "fr": "fr", "us": "com"}[region.key]
        return f"{''.join(words)[:28]}.{tld}"

    def person(self, region: Region) -> tuple[str, str]:
        first = self.pick(FIRST_NAMES[region.key])
        last = self.pick(FAMILIES[region.key])
        return first, last

    # numbers -----------------------------------------------------------------------------------------
    def phone(self, region: Region, city: City) -> str:
        """A valid phone number in a range reserved for fiction, not given to another demo record. NANP
        keeps only 100 such numbers per area code: when the city's are taken, the region's others serve."""
        area_codes = city.area_codes
        for attempt in range(200):
            if attempt == 30:
                area_codes = tuple(sorted({code for c in region.cities for code in c.area_codes}))
            if region.country == "FR":
                digit = self.pick(area_codes)
                block = FRENCH_FICTION_BLOCKS[digit]
                tail = f"{self.rng.randrange(10000):04d}"
                raw = f"+33 {digit} {block[:2]} {block[2:]} {tail[:2]} {tail[2:]}"
            else:
                raw = f"+1 {self.pick(area_codes)} 555 01{self.rng.randrange(100):02d}"
            if raw in self.phones:
                continue
            try:
                number = normalise_phone(raw)
            except ValidationError:
                continue
            self.phones.add(raw)
            return number
        raise RuntimeError(f"No free demo phone number left in {city.name}.")

    def digits(self, count: int) -> str:
        return "".join(str(self.rng.randrange(10)) for _ in range(count))

    def business_number(self) -> str:
        """A Canadian business number (9 digits, Luhn check digit)."""
        base = str(self.rng.randrange(1, 10)) + self.digits(7)
        return base + luhn.calc_check_digit(base)

    def siren(self) -> str:
        base = str(self.rng.randrange(3, 9)) + self.digits(7)
        return base + luhn.calc_check_digit(base)

    def siret(self, siren: str) -> str:
        # The establishment number (NIC): a sequence, then a digit that makes the whole SIRET pass Luhn.
        base = siren + f"{self.rng.randrange(1, 60):04d}"
        return base + luhn.calc_check_digit(base)

    def ein(self) -> str:
        # The first two digits name the IRS campus that issued the number; these are all in use.
        prefix = self.pick(
            ("04", "10", "13", "20", "23", "27", "36", "38", "45", "46", "47", "52", "84", "95")
        )
        return f"{prefix}-{self.digits(7)}"

    def french_bank(self) -> tuple[str, str, str]:
        bank_code, name, bic = self.pick(
            (
                ("30004", "BNP Paribas", "BNPAFRPP"),
                ("30003", "Société Générale", "SOGEFRPP"),
                ("30002", "LCL", "CRLYFRPP"),
                ("30066", "CIC", "CMCIFRPP"),
                ("10107", "BRED Banque Populaire", "BREDFRPP"),
            )
        )
        branch = self.digits(5)
        account = self.digits(11)
        # The French RIB key: 97 - ((89 * bank + 15 * branch + 3 * account) mod 97).
        key = 97 - ((89 * int(bank_code) + 15 * int(branch) + 3 * int(account)) % 97)
        bban = f"{bank_code}{branch}{account}{key:02d}"
        iban = "FR" + stdnum_iban.calc_check_digits("FR00" + bban) + bban
        return name, iban, bic


_DOMAIN_NOISE = frozenset(
    {"inc", "ltee", "ltd", "limited", "llc", "corp", "co", "sas", "sarl", "sa", "et", "and"}
)


def _split(count: int) -> list[tuple[Region, int]]:
    """How many customers each region gets; every region gets at least one."""
    sizes = [max(1, round(count * r.share)) for r in REGIONS]
    sizes[0] += count - sum(sizes)
    return list(zip(REGIONS, sizes, strict=True))


def _customer_data(maker: _BookMaker, region: Region, city: City, users: dict[str, User]) -> dict[str, Any]:
    rng = maker.rng
    french = region.key in {"qc", "fr"}
    lang = "fr" if french else "en"
    name, _trade = maker.company_name(region)
    domain = maker.domain(name, region)
    status = rng.choices([s for s, _w in STATUS_WEIGHTS], weights=[w for _s, w in STATUS_WEIGHTS])[0]
    reasons = REASONS.get(status, {}).get(lang, ("",))
    categories = ["prospect"] if status == Status.PROSPECT else ["customer"]
    if status != Status.PROSPECT and maker.chance(0.06):
        categories.append("partner")
    data: dict[str, Any] = {
        "name": name,
        "status": status,
        "status_reason": maker.pick(reasons),
        "categories": categories,
        "language": "fr" if french or (region.key == "on" and maker.chance(0.1)) else "en",
        "currency": {"CA": "CAD", "FR": "EUR", "US": "USD"}[region.country],
        "external_code": city.sector if maker.chance(0.9) else "",
        "payment_terms_days": rng.choices((15, 30, 45, 60), weights=(15, 55, 18, 12))[0],
        "key_account": status == Status.APPROVED and maker.chance(0.1),
        "nurturing": status == Status.PROSPECT and maker.chance(0.5),
        "created_at": timezone.now() - timedelta(days=rng.randint(20, 6 * 365)),
        "payment_method_in": maker.pick(("cheque", "transfer", "transfer", "direct_debit", "card")),
        "invoice_delivery": rng.choices(("email", "paper", "both"), weights=(80, 10, 10))[0],
        "assigned_to": users.get("controller" if maker.chance(0.5) else "operator"),
        "team": {"qc": "Ventes Québec", "on": "Sales Ontario", "fr": "Export Europe", "us": "Export USA"}[
            region.key
        ],
    }
    if data["invoice_delivery"] != "email":
        data["invoice_copies"] = maker.pick((1, 2, 2, 3))
    if maker.chance(0.6):
        data["website"] = f"https://www.{domain}"
    if maker.chance(0.55):
        data["email"] = ("comptabilite@" if french else "ap@") + domain
    if maker.chance(0.8):
        data["phone"] = maker.phone(region, city)
    if maker.chance(0.08):
        data["max_order_amount"] = Decimal(maker.pick(("10000.00", "25000.00", "50000.00")))
    _add_numbers(maker, region, data)
    return data


def _add_numbers(maker: _BookMaker, region: Region, data: dict[str, Any]) -> None:
    """Business, tax and bank numbers of the region, each with a correct check digit where one exists."""
    if region.country == "CA":
        if maker.chance(0.65):
            data["gst_number"] = maker.business_number() + "RT0001"
        data["tax_code"] = "TPS-TVQ" if region.key == "qc" else "HST"
        if region.key == "qc":
            if maker.chance(0.6):
                data["qst_number"] = maker.digits(10) + "TQ0001"
            if maker.chance(0.5):
                # Numbered companies ("9123-4567 Québec inc.") trade under a name: a common case in Québec.
                data["neq"] = "11" + maker.digits(8)
                if maker.chance(0.4):
                    data["legal_name"] = f"9{maker.digits(3)}-{maker.digits(4)} Québec inc."
        if maker.chance(0.2):
            bank, institution = maker.pick(
                (
                    ("Desjardins", "815"),
                    ("Banque Nationale", "006"),
                    ("RBC Banque Royale", "003"),
                    ("TD Canada Trust", "004"),
                    ("BMO", "001"),
                    ("CIBC", "010"),
                )
            )
            data.update(
                bank_name=bank,
                bank_institution=institution,
                bank_transit=maker.digits(5),
                bank_account=maker.digits(7),
                payment_method_in="direct_debit",
            )
    elif region.country == "FR":
        data["tax_code"] = "TVA20"
        if maker.chance(0.75):
            siren = maker.siren()
            data["siren"] = siren
            if maker.chance(0.6):
                data["siret"] = maker.siret(siren)
            if maker.chance(0.7):
                data["vat_number"] = "FR" + stdnum_siren.to_tva(siren)
        if maker.chance(0.35):
            bank, iban, bic = maker.french_bank()
            data.update(bank_name=bank, iban=iban, bic=bic, payment_method_in="transfer")
    else:
        if maker.chance(0.65):
            data["ein"] = maker.ein()
        if maker.chance(0.1):
            data["exempt_state"] = True
            data["tax_code"] = "EXEMPT"


def _address_data(
    maker: _BookMaker, region: Region, city: City, *, main: bool, label: str = ""
) -> dict[str, Any]:
    rng = maker.rng
    if region.country == "CA":
        fsa = maker.pick(city.postal)
        letters = "ABCEGHJKLMNPRSTVWXYZ"
        postal = f"{fsa} {rng.randrange(10)}{maker.pick(letters)}{rng.randrange(10)}"
    else:
        postal = maker.pick(city.postal)
    number = rng.randint(10, 9800)
    line2 = ""
    if region.key == "qc":
        line1 = f"{number}, {maker.pick(STREETS['qc'])}"
        if maker.chance(0.15):
            line2 = f"Bureau {rng.randint(1, 6)}{rng.randint(0, 9)}0"
    elif region.key == "fr":
        line1 = f"{rng.randint(1, 180)} {maker.pick(STREETS['fr'])}"
        if maker.chance(0.3):
            line2 = maker.pick(FRENCH_AREAS)
    else:
        line1 = f"{number} {maker.pick(STREETS['en'])}"
        if maker.chance(0.15):
            line2 = f"Suite {rng.randint(1, 6)}{rng.randint(0, 9)}0"
    return {
        "label": label,
        "line1": line1,
        "line2": line2,
        "city": city.name,
        "province": city.province,
        "postal_code": postal,
        "country": region.country,
        "billing": main,
        "delivery": True,
        "main": main,
    }


def _contacts_data(maker: _BookMaker, region: Region, city: City, domain: str) -> list[dict[str, Any]]:
    french = region.key in {"qc", "fr"}
    roles = ROLES_FR if french else ROLES_EN
    count = maker.rng.choices((1, 2, 3), weights=(35, 45, 20))[0]
    chosen_roles = [roles[0], *maker.rng.sample(roles[1:], count - 1)]
    contacts = []
    for position, role in enumerate(chosen_roles):
        first, last = maker.person(region)
        local = re.sub(r"[^a-z]", "", fold(first)) + "." + re.sub(r"[^a-z]", "", fold(last))
        contact: dict[str, Any] = {
            "name": f"{first} {last}",
            "role": role,
            "email": f"{local}@{domain}" if maker.chance(0.9) else "",
            "phone": maker.phone(region, city),
            # The payables contact gets the invoices; the first one is also who the order desk calls.
            "is_billing": position == 0,
            "is_default": position == (1 if count > 1 else 0),
        }
        if maker.chance(0.3):
            contact["mobile"] = maker.phone(region, city)
        if position > 0 and contact["email"] and maker.chance(0.25):
            contact["invoice_copy"] = True
        if maker.chance(0.04) and position > 0:
            contact.update(active=False, is_default=False, invoice_copy=False)
        contacts.append(contact)
    return contacts


def ensure_demo_users() -> list[tuple[str, str, bool]]:
    """One user per role with the demo password; existing users are left as they are."""
    made = []
    for username, role in DEMO_USERS:
        exists = User.objects.filter(username=username).exists()
        if not exists:
            accounts.create_user(actor=None, username=username, role=role, password=DEMO_PASSWORD)
        made.append((username, str(role), not exists))
    return made


@transaction.atomic
def load_demo(
    *, count: int = DEFAULT_COUNT, seed: int = SEED, progress: Callable[[str], None] | None = None
) -> DemoResult:
    """Load the demo book (count customers, spread over Québec, Ontario, France and the US) and the demo
    users, in one transaction: a failure leaves the database as it was."""
    started = time.monotonic()
    result = DemoResult(users=ensure_demo_users())
    users = {u.username: u for u in User.objects.filter(username__in=[u for u, _r in DEMO_USERS])}
    maker = _BookMaker(seed)
    made: list[Customer] = []
    for region, size in _split(count):
        parent: Customer | None = None
        for index in range(size):
            city = maker.pick(region.cities)
            data = _customer_data(maker, region, city, users)
            if index == 0 and region.key == "qc":
                # The name of the API guide's example, so that trying the example shows the duplicate warning.
                data.update(name="Transports Laurentides inc.", status=Status.APPROVED, status_reason="")
            # A few groups: a parent company with subsidiaries that keep their own accounts.
            if parent is not None and maker.chance(0.5):
                data["parent"] = parent
            parent = None
            customer = services.create_customer(actor=None, data=data, acknowledge_duplicates=True)
            made.append(customer)
            if customer.key_account and maker.chance(0.6):
                parent = customer
            result.customers += 1
            domain = maker.domain(customer.name, region)
            services.add_address(
                actor=None, customer_id=customer.pk, data=_address_data(maker, region, city, main=True)
            )
            result.addresses += 1
            if maker.chance(0.25):
                sites = SECOND_SITES["fr" if customer.language == "fr" else "en"]
                site = maker.pick(region.cities) if maker.chance(0.4) else city
                services.add_address(
                    actor=None,
                    customer_id=customer.pk,
                    data=_address_data(maker, region, site, main=False, label=maker.pick(sites)),
                )
                result.addresses += 1
            for contact in _contacts_data(maker, region, city, domain):
                services.add_contact(actor=None, customer_id=customer.pk, data=contact)
                result.contacts += 1
            result.notes += _add_notes(maker, customer)
            if progress and result.customers % 50 == 0:
                progress(f"{result.customers} customers…")
    if progress:
        progress("invoices, payments, orders, limits and holds…")
    # Imported here: the documents app builds on the customer book, not the other way round.
    from carnet.documents.demo import add_demo_activity

    activity = add_demo_activity(made, seed=seed)
    result.invoices, result.payments = activity.invoices, activity.payments
    result.orders, result.holds = activity.orders, activity.holds
    result.seconds = time.monotonic() - started
    return result


def _add_notes(maker: _BookMaker, customer: Customer) -> int:
    lang = "fr" if customer.language == "fr" else "en"
    added = 0
    if maker.chance(0.18):
        services.add_note(
            actor=None,
            customer_id=customer.pk,
            data={"category": "credit", "text": maker.pick(MEMOS[lang]), "pinned": True},
        )
        added += 1
    if maker.chance(0.3):
        category, text = maker.pick(NOTES[lang])
        services.add_note(actor=None, customer_id=customer.pk, data={"category": category, "text": text})
        added += 1
    return added
