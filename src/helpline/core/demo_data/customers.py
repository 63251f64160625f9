"""The demo customers: eight writing in each of English, Georgian, Amharic, Mongolian and Telugu.

Each has several identities (email, phone, chat and social handles), a preferred channel, a time
zone and, for some, a note on their profile written by the desk of their language. Emails at an
organisation's domain join that organisation. Addresses use reserved example domains and
fictional phone ranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    call: str  # how an agent addresses them in a reply
    language: str
    time_zone: str
    preferred_channel: str
    identities: tuple[tuple[str, str], ...]
    attributes: dict[str, Any] = field(default_factory=dict)
    vip: bool = False
    note: str = ""  # a note on the profile, written by the desk of their language

    @property
    def identity_kinds(self) -> set[str]:
        return {kind for kind, _value in self.identities}


CUSTOMERS = (
    # English
    DemoCustomer(
        "Emily Clarke",
        "Emily",
        "en",
        "Europe/London",
        "email",
        (("email", "emily.clarke@example.com"), ("phone", "+44 7700 900123")),
        {"customer_since": "2019", "plan": "Fibre 100"},
    ),
    DemoCustomer(
        "James O'Connor",
        "James",
        "en",
        "Europe/London",
        "whatsapp",
        (("email", "j.oconnor@northwindbooks.example"), ("whatsapp", "+44 7700 900234")),
        {"role": "Shipping manager"},
        vip=True,
        note="Shipping manager at Northwind Books; prefers a WhatsApp message over a call.",
    ),
    DemoCustomer(
        "Margaret Hughes",
        "Mrs Hughes",
        "en",
        "Europe/London",
        "post",
        (("phone", "+44 7700 900345"),),
        {"postal_address": "14 Elm Road, York YO1 7HH", "customer_since": "2004"},
        note="Prefers letters and a phone call; please don't send emails.",
    ),
    DemoCustomer(
        "Daniel Kim",
        "Daniel",
        "en",
        "Europe/London",
        "chat",
        (("email", "daniel.kim@example.net"), ("telegram", "@dankim"), ("chat", "visitor-5f2c91")),
    ),
    DemoCustomer(
        "Sophie Turner",
        "Sophie",
        "en",
        "Europe/London",
        "messenger",
        (("email", "sophie@northwindbooks.example"), ("messenger", "sophie.turner.82")),
    ),
    DemoCustomer(
        "Oliver Patel",
        "Oliver",
        "en",
        "Europe/London",
        "sms",
        (("email", "oliver.patel@example.org"), ("phone", "+44 7700 900456")),
        {"plan": "Mobile 20 GB"},
    ),
    DemoCustomer(
        "Grace Mensah",
        "Grace",
        "en",
        "Europe/London",
        "web",
        (("email", "grace.mensah@example.com"), ("whatsapp", "+44 7700 900567")),
    ),
    DemoCustomer(
        "Liam Walsh",
        "Liam",
        "en",
        "Europe/Dublin",
        "portal",
        (("email", "liam.walsh@example.com"), ("twitter", "@liamwalsh")),
    ),
    # Georgian
    DemoCustomer(
        "მარიამ გელაშვილი",
        "მარიამ",
        "ka",
        "Asia/Tbilisi",
        "whatsapp",
        (("email", "mariam.gelashvili@example.com"), ("phone", "+995 555 12 34 56"), ("whatsapp", "+995 555 12 34 56")),
        {"plan": "Fibre 100"},
    ),
    DemoCustomer(
        "დავით ჩხეიძე",
        "დავით",
        "ka",
        "Asia/Tbilisi",
        "email",
        (("email", "davit@caucasustrade.example"), ("phone", "+995 599 23 45 67")),
        {"role": "Logistics lead"},
        vip=True,
        note="Caucasus Trade-ის ლოჯისტიკის ხელმძღვანელი; სასწრაფო საკითხებზე ურჩევნია ზარი.",
    ),
    DemoCustomer(
        "ეკატერინე ჯაფარიძე",
        "ეკატერინე",
        "ka",
        "Asia/Tbilisi",
        "telegram",
        (("telegram", "@eka_japaridze"), ("phone", "+995 577 34 56 78")),
    ),
    DemoCustomer(
        "ლევან მაისურაძე",
        "ლევან",
        "ka",
        "Asia/Tbilisi",
        "messenger",
        (("email", "levan.maisuradze@example.net"), ("messenger", "levan.maisuradze")),
    ),
    DemoCustomer(
        "ანა წერეთელი",
        "ანა",
        "ka",
        "Asia/Tbilisi",
        "chat",
        (("email", "ana.tsereteli@caucasustrade.example"), ("chat", "visitor-a81e07")),
    ),
    DemoCustomer(
        "ზურაბ ხარაიშვილი",
        "ბატონო ზურაბ",
        "ka",
        "Asia/Tbilisi",
        "post",
        (("phone", "+995 322 45 67 89"),),
        {"postal_address": "ჭავჭავაძის გამზირი 12, თბილისი 0179", "customer_since": "2001"},
        note="წერილებს და სატელეფონო ზარს ამჯობინებს; ელფოსტას არ იყენებს.",
    ),
    DemoCustomer(
        "სალომე ბაქრაძე",
        "სალომე",
        "ka",
        "Asia/Tbilisi",
        "sms",
        (("email", "salome.bakradze@example.org"), ("phone", "+995 568 56 78 90")),
    ),
    DemoCustomer(
        "ირაკლი ნოზაძე",
        "ირაკლი",
        "ka",
        "Asia/Tbilisi",
        "phone",
        (("email", "irakli.nozadze@example.com"), ("phone", "+995 551 67 89 01"), ("whatsapp", "+995 551 67 89 01")),
        {"plan": "Fibre 300"},
    ),
    # Amharic
    DemoCustomer(
        "አበበ ከበደ",
        "አበበ",
        "am",
        "Africa/Addis_Ababa",
        "telegram",
        (("phone", "+251 911 234 567"), ("telegram", "@abebe_kebede")),
    ),
    DemoCustomer(
        "ሄለን ታደሰ",
        "ሄለን",
        "am",
        "Africa/Addis_Ababa",
        "email",
        (("email", "helen.tadesse@addislogistics.example"), ("phone", "+251 911 345 678")),
        {"role": "Account manager"},
        vip=True,
    ),
    DemoCustomer(
        "ዮሐንስ ገብረመድህን",
        "ዮሐንስ",
        "am",
        "Africa/Addis_Ababa",
        "phone",
        (("phone", "+251 912 456 789"), ("email", "yohannes.g@example.net")),
    ),
    DemoCustomer(
        "መቅደስ ዓለሙ",
        "መቅደስ",
        "am",
        "Africa/Addis_Ababa",
        "telegram",
        (("telegram", "@mekdes_alemu"), ("whatsapp", "+251 913 567 890")),
    ),
    DemoCustomer(
        "ብርሃኑ ተሾመ",
        "ብርሃኑ",
        "am",
        "Africa/Addis_Ababa",
        "email",
        (("email", "birhanu@addislogistics.example"), ("phone", "+251 914 678 901")),
    ),
    DemoCustomer(
        "ፀሐይ ወልደማርያም",
        "ወይዘሮ ፀሐይ",
        "am",
        "Africa/Addis_Ababa",
        "post",
        (("phone", "+251 115 789 012"),),
        {"postal_address": "ፖ.ሣ.ቁ. 1234፣ አዲስ አበባ", "customer_since": "1998"},
        note="ደብዳቤ እና የስልክ ጥሪ ይመርጣሉ፤ ኢሜይል አይጠቀሙም።",
    ),
    DemoCustomer(
        "ሳሙኤል ኃይሌ",
        "ሳሙኤል",
        "am",
        "Africa/Addis_Ababa",
        "sms",
        (("email", "samuel.haile@example.com"), ("phone", "+251 915 890 123")),
    ),
    DemoCustomer(
        "ትዕግሥት በላይ",
        "ትዕግሥት",
        "am",
        "Africa/Addis_Ababa",
        "messenger",
        (("email", "tigist.belay@example.org"), ("messenger", "tigist.belay")),
    ),
    # Mongolian
    DemoCustomer(
        "Энхжаргал Батбаяр",
        "Энхжаргал",
        "mn",
        "Asia/Ulaanbaatar",
        "email",
        (("email", "enkhjargal.b@example.com"), ("phone", "+976 9911 2233")),
        {"plan": "Fibre 100"},
    ),
    DemoCustomer(
        "Ганзориг Дорж",
        "Ганзориг",
        "mn",
        "Asia/Ulaanbaatar",
        "messenger",
        (("messenger", "ganzorig.dorj"), ("phone", "+976 8812 3344")),
    ),
    DemoCustomer(
        "Сарантуяа Баатар",
        "Сарантуяа",
        "mn",
        "Asia/Ulaanbaatar",
        "chat",
        (("email", "saraa@khansteppe.example"), ("chat", "visitor-77d3b2")),
        {"role": "Shop owner"},
        vip=True,
    ),
    DemoCustomer(
        "Тэмүүжин Эрдэнэ",
        "Тэмүүжин",
        "mn",
        "Asia/Ulaanbaatar",
        "sms",
        (("phone", "+976 9913 4455"), ("email", "temuujin.e@example.net")),
    ),
    DemoCustomer(
        "Оюунчимэг Цэрэн",
        "Оюунчимэг",
        "mn",
        "Asia/Ulaanbaatar",
        "post",
        (("phone", "+976 7011 5566"),),
        {"postal_address": "Сүхбаатар дүүрэг, 1-р хороо, 5-р байр, Улаанбаатар", "customer_since": "2003"},
        note="Захидал болон утсаар холбогдохыг илүүд үздэг; имэйл хэрэглэдэггүй.",
    ),
    DemoCustomer(
        "Мөнхбат Ганбаатар",
        "Мөнхбат",
        "mn",
        "Asia/Ulaanbaatar",
        "messenger",
        (("email", "munkhbat@khansteppe.example"), ("messenger", "munkhbat.g")),
    ),
    DemoCustomer(
        "Номин Жаргалсайхан",
        "Номин",
        "mn",
        "Asia/Ulaanbaatar",
        "web",
        (("email", "nomin.j@example.org"), ("whatsapp", "+976 9914 6677")),
    ),
    DemoCustomer(
        "Бат-Эрдэнэ Сүхбаатар",
        "Бат-Эрдэнэ",
        "mn",
        "Asia/Ulaanbaatar",
        "phone",
        (("phone", "+976 9915 7788"), ("telegram", "@baterdene_s")),
    ),
    # Telugu
    DemoCustomer(
        "వెంకట రమణ",
        "వెంకట రమణ",
        "te",
        "Asia/Kolkata",
        "whatsapp",
        (("whatsapp", "+91 98480 12345"), ("phone", "+91 98480 12345")),
    ),
    DemoCustomer(
        "పద్మజ రావు",
        "పద్మజ",
        "te",
        "Asia/Kolkata",
        "email",
        (("email", "padmaja.rao@deccantel.example"), ("phone", "+91 98490 23456")),
        {"role": "Operations head"},
        vip=True,
    ),
    DemoCustomer(
        "సాయి కిరణ్",
        "సాయి కిరణ్",
        "te",
        "Asia/Kolkata",
        "sms",
        (("email", "saikiran@example.com"), ("phone", "+91 99890 34567")),
        {"plan": "Fibre 100"},
    ),
    DemoCustomer(
        "అనూష కొండా",
        "అనూష",
        "te",
        "Asia/Kolkata",
        "chat",
        (("email", "anusha.konda@example.net"), ("chat", "visitor-c4a9e1")),
    ),
    DemoCustomer(
        "నాగేశ్వర రావు",
        "నాగేశ్వర రావు",
        "te",
        "Asia/Kolkata",
        "post",
        (("phone", "+91 40 2345 6789"),),
        {"postal_address": "ఇంటి నం. 8-2-293, బంజారా హిల్స్, హైదరాబాద్ 500034", "customer_since": "1999"},
        note="ఉత్తరాలు, ఫోన్ కాల్ ఇష్టపడతారు; ఈమెయిల్ వాడరు.",
    ),
    DemoCustomer(
        "కృష్ణ చైతన్య",
        "కృష్ణ చైతన్య",
        "te",
        "Asia/Kolkata",
        "whatsapp",
        (("email", "krishna@deccantel.example"), ("whatsapp", "+91 97010 45678")),
    ),
    DemoCustomer(
        "స్వాతి నాయుడు",
        "స్వాతి",
        "te",
        "Asia/Kolkata",
        "telegram",
        (("telegram", "@swathi_naidu"), ("email", "swathi.naidu@example.org")),
    ),
    DemoCustomer(
        "మహేష్ యాదవ్",
        "మహేష్",
        "te",
        "Asia/Kolkata",
        "phone",
        (("phone", "+91 96660 56789"), ("messenger", "mahesh.yadav.hyd")),
    ),
)
