"""Multilingual text for benchmark data: names, subjects and sentences in en, ka, am, mn and te.

Message bodies are built from two to four sentences of the ticket's language plus a reference
number, so bodies differ and the search index sees a realistic vocabulary. Two rare words are
planted in about 1% of tickets each (see `generate.py`); they appear nowhere else in the pools.
"""

from __future__ import annotations

# The words the search benchmark looks for. Neither occurs in the pools below.
LATIN_RARE_WORD = "chargeback"
GEORGIAN_RARE_WORD = "ანაზღაურება"
RARE_WORD_SHARE = 0.01

# Language of a ticket (and of its requester): share of the desk.
LANGUAGE_WEIGHTS = {"en": 40, "ka": 20, "am": 15, "mn": 15, "te": 10}

TIME_ZONES = {
    "en": ["Europe/London", "America/New_York", "UTC"],
    "ka": ["Asia/Tbilisi"],
    "am": ["Africa/Addis_Ababa"],
    "mn": ["Asia/Ulaanbaatar"],
    "te": ["Asia/Kolkata"],
}

FIRST_NAMES = {
    "en": ["Olivia", "James", "Emma", "Noah", "Ava", "Liam", "Sophia", "Mason", "Grace", "Ethan", "Chloe", "Lucas"],
    "ka": ["ნინო", "გიორგი", "მარიამ", "დავით", "ანა", "ლევან", "თამარ", "ნიკა", "ეკა", "ირაკლი", "სალომე", "ზურაბ"],
    "am": ["አበበ", "ትዕግስት", "ዳዊት", "ሄለን", "ሰላም", "ዮሐንስ", "መሰረት", "ቴዎድሮስ", "ብርሃን", "ማርታ", "ኤርምያስ", "ፍሬሕይወት"],
    "mn": ["Батбаяр", "Оюунчимэг", "Төмөр", "Сарангэрэл", "Ганбаатар", "Номин", "Бат-Эрдэнэ", "Энхжин", "Тэмүүлэн"],
    "te": ["రాము", "లక్ష్మి", "సురేష్", "పద్మ", "వెంకట్", "సీత", "కిరణ్", "అనిత", "రవి", "శ్రీదేవి", "మహేష్", "కవిత"],
}
LAST_NAMES = {
    "en": ["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Roberts", "Walker"],
    "ka": ["ბერიძე", "კაპანაძე", "გელაშვილი", "მაისურაძე", "ლომიძე", "ჯაფარიძე", "ხარაიშვილი", "ნოზაძე"],
    "am": ["ተስፋዬ", "ግርማ", "በቀለ", "ወልደ", "ታደሰ", "ከበደ", "አለሙ", "ሀይሉ"],
    "mn": ["Бат", "Дорж", "Болд", "Цэрэн", "Ганболд", "Пүрэв", "Баяр", "Лхагва"],
    "te": ["రెడ్డి", "నాయుడు", "రావు", "శర్మ", "వర్మ", "చౌదరి", "గుప్తా", "ప్రసాద్"],
}
# Latin transliterations used for e-mail addresses.
ASCII_NAMES = ["olivia", "james", "nino", "giorgi", "abebe", "helen", "bat", "oyuna", "ramu", "lakshmi", "ana", "dawit"]

SUBJECTS = {
    "en": [
        "Order not delivered yet",
        "Cannot log in to my account",
        "Refund for a damaged item",
        "Invoice shows the wrong amount",
        "Change my delivery address",
        "Password reset link does not work",
        "Question about my subscription",
        "Package arrived opened",
        "App crashes when I open settings",
        "Double payment on my card",
        "How do I cancel my plan?",
        "Wrong size sent",
        "Tracking number is not valid",
        "Please update my phone number",
        "Discount code was not applied",
        "Delivery is late again",
        "Cannot download my receipt",
        "Request to close my account",
        "Item missing from the box",
        "Need help with installation",
    ],
    "ka": [
        "შეკვეთა ჯერ არ მიმიღია",
        "ანგარიშში ვერ შევდივარ",
        "დაზიანებული ნივთის დაბრუნება",
        "ინვოისში თანხა არასწორია",
        "მიწოდების მისამართის შეცვლა",
        "პაროლის აღდგენის ბმული არ მუშაობს",
        "კითხვა გამოწერის შესახებ",
        "ამანათი გახსნილი მოვიდა",
        "ბარათიდან ორჯერ ჩამოიჭრა თანხა",
        "როგორ გავაუქმო გეგმა?",
        "არასწორი ზომა გამომიგზავნეს",
        "მიწოდება ისევ იგვიანებს",
    ],
    "am": [
        "ትዕዛዜ እስካሁን አልደረሰም",
        "ወደ መለያዬ መግባት አልቻልኩም",
        "ለተበላሸ ዕቃ ገንዘብ ተመላሽ",
        "ደረሰኙ የተሳሳተ መጠን ያሳያል",
        "የማድረሻ አድራሻዬን ቀይሩልኝ",
        "የይለፍ ቃል መቀየሪያ አገናኙ አይሰራም",
        "ስለ ምዝገባዬ ጥያቄ",
        "ጥቅሉ ተከፍቶ ደረሰ",
        "ካርዴ ላይ ሁለት ጊዜ ተከፍሏል",
        "እቅዴን እንዴት መሰረዝ እችላለሁ?",
        "የተሳሳተ መጠን ተላከልኝ",
        "ማድረሱ እንደገና ዘገየ",
    ],
    "mn": [
        "Захиалга маань ирээгүй байна",
        "Бүртгэлдээ нэвтэрч чадахгүй байна",
        "Гэмтсэн барааны мөнгөө буцаах",
        "Нэхэмжлэх дээрх дүн буруу байна",
        "Хүргэлтийн хаягаа солих",
        "Нууц үг сэргээх холбоос ажиллахгүй байна",
        "Захиалгын багцын талаар асуулт",
        "Илгээмж онгорхой ирсэн",
        "Картаас хоёр удаа төлбөр авсан",
        "Төлөвлөгөөгөө яаж цуцлах вэ?",
        "Буруу хэмжээ ирсэн",
        "Хүргэлт дахин хоцорлоо",
    ],
    "te": [
        "నా ఆర్డర్ ఇంకా రాలేదు",
        "నా ఖాతాలోకి లాగిన్ కాలేకపోతున్నాను",
        "దెబ్బతిన్న వస్తువుకు రీఫండ్",
        "ఇన్వాయిస్‌లో తప్పు మొత్తం ఉంది",
        "నా డెలివరీ చిరునామా మార్చండి",
        "పాస్‌వర్డ్ రీసెట్ లింక్ పనిచేయడం లేదు",
        "నా సబ్‌స్క్రిప్షన్ గురించి ప్రశ్న",
        "ప్యాకేజీ తెరిచి వచ్చింది",
        "నా కార్డుపై రెండుసార్లు చెల్లింపు జరిగింది",
        "నా ప్లాన్‌ను ఎలా రద్దు చేయాలి?",
        "తప్పు సైజు పంపారు",
        "డెలివరీ మళ్ళీ ఆలస్యమైంది",
    ],
}

# Sentences a customer writes.
CUSTOMER_SENTENCES = {
    "en": [
        "Hello, I placed an order last week and it has not arrived yet.",
        "The tracking page has not changed for five days.",
        "I tried to sign in several times but the page keeps reloading.",
        "The box was damaged and the screen has a crack in the corner.",
        "I was charged twice for the same purchase.",
        "Could you please tell me when the courier will come?",
        "I moved to a new flat and need to change the address.",
        "The discount code from your newsletter did not work at checkout.",
        "My colleague had the same problem last month.",
        "I attached a photo of the label.",
        "Please call me back in the afternoon if possible.",
        "This is the third time I am writing about this.",
        "The app shows an error message in red and closes.",
        "I would prefer a replacement rather than a refund.",
        "Thank you for the quick answer, but the problem is still there.",
        "My invoice lists a product I never ordered.",
    ],
    "ka": [
        "გამარჯობა, გასულ კვირას შევუკვეთე და ჯერ არ მოსულა.",
        "თრექინგის გვერდი ხუთი დღეა არ შეცვლილა.",
        "რამდენჯერმე ვცადე შესვლა, მაგრამ გვერდი თავიდან იტვირთება.",
        "ყუთი დაზიანებული იყო და ეკრანი გაბზარულია.",
        "ერთი და იგივე შენაძენისთვის ორჯერ ჩამომეჭრა.",
        "გთხოვთ მითხრათ, როდის მოვა კურიერი?",
        "ახალ ბინაში გადავედი და მისამართის შეცვლა მინდა.",
        "ფასდაკლების კოდი არ იმუშავა გადახდისას.",
        "ეტიკეტის ფოტო მივამაგრე.",
        "თუ შეიძლება, შუადღისას დამირეკეთ.",
        "ამ საკითხზე უკვე მესამედ ვწერ.",
        "აპლიკაცია შეცდომას აჩვენებს და იხურება.",
    ],
    "am": [
        "ሰላም፣ ባለፈው ሳምንት አዝዤ እስካሁን አልደረሰም።",
        "የመከታተያ ገጹ ለአምስት ቀናት አልተቀየረም።",
        "ብዙ ጊዜ ለመግባት ሞከርኩ ግን ገጹ እንደገና ይጫናል።",
        "ሳጥኑ ተጎድቶ ነበር ስክሪኑም ተሰንጥቋል።",
        "ለአንድ ግዢ ሁለት ጊዜ ተከፍያለሁ።",
        "መልእክተኛው መቼ እንደሚመጣ ንገሩኝ።",
        "ወደ አዲስ ቤት ስለተዛወርኩ አድራሻዬን መቀየር እፈልጋለሁ።",
        "የቅናሽ ኮዱ በክፍያ ጊዜ አልሰራም።",
        "የመለያውን ፎቶ አያይዤዋለሁ።",
        "ከተቻለ ከሰዓት በኋላ ደውሉልኝ።",
        "ስለዚህ ጉዳይ ለሶስተኛ ጊዜ እየጻፍኩ ነው።",
        "መተግበሪያው ስህተት አሳይቶ ይዘጋል።",
    ],
    "mn": [
        "Сайн байна уу, өнгөрсөн долоо хоногт захиалсан ч одоо болтол ирээгүй.",
        "Хянах хуудас таван өдөр өөрчлөгдөөгүй байна.",
        "Хэд хэдэн удаа нэвтрэх гэж оролдсон ч хуудас дахин ачаалагдаад байна.",
        "Хайрцаг гэмтсэн, дэлгэц нь хагарсан байсан.",
        "Нэг худалдан авалтад хоёр удаа төлбөр авсан.",
        "Шуудан зөөгч хэзээ ирэхийг хэлж өгнө үү?",
        "Шинэ байранд нүүсэн тул хаягаа солих хэрэгтэй байна.",
        "Хямдралын код төлбөр хийхэд ажиллаагүй.",
        "Шошгоны зургийг хавсаргалаа.",
        "Боломжтой бол үдээс хойш залгаж өгнө үү.",
        "Энэ асуудлаар гурав дахь удаагаа бичиж байна.",
        "Апп алдааны мэдээлэл харуулаад хаагддаг.",
    ],
    "te": [
        "నమస్తే, గత వారం ఆర్డర్ చేశాను కానీ ఇంకా రాలేదు.",
        "ట్రాకింగ్ పేజీ ఐదు రోజులుగా మారలేదు.",
        "చాలాసార్లు లాగిన్ అవ్వడానికి ప్రయత్నించాను కానీ పేజీ మళ్ళీ లోడ్ అవుతోంది.",
        "పెట్టె దెబ్బతిన్నది, స్క్రీన్ పగిలిపోయింది.",
        "ఒకే కొనుగోలుకు రెండుసార్లు డబ్బు తీసుకున్నారు.",
        "కొరియర్ ఎప్పుడు వస్తారో దయచేసి చెప్పండి.",
        "కొత్త ఇంటికి మారాను, చిరునామా మార్చాలి.",
        "డిస్కౌంట్ కోడ్ చెల్లింపు సమయంలో పనిచేయలేదు.",
        "లేబుల్ ఫోటో జత చేశాను.",
        "వీలైతే మధ్యాహ్నం కాల్ చేయండి.",
        "ఈ విషయం గురించి మూడోసారి రాస్తున్నాను.",
        "యాప్ ఎర్రర్ చూపించి మూసుకుపోతుంది.",
    ],
}

# Sentences an agent writes (replies and internal notes).
AGENT_SENTENCES = {
    "en": [
        "Thank you for contacting us, I am sorry for the trouble.",
        "I have checked your order and the parcel is at the local depot.",
        "I have sent you a new password reset link.",
        "The refund has been approved and will reach your card in three to five days.",
        "Could you send us a photo of the damaged item?",
        "I have updated the delivery address on your order.",
        "Our courier will contact you tomorrow morning.",
        "I have applied the discount to your invoice.",
        "Please update the app to the latest version and try again.",
        "I am passing this to our billing team.",
        "Customer called again, waiting for the warehouse to confirm.",
        "Checked with logistics: the parcel was scanned yesterday.",
    ],
    "ka": [
        "გმადლობთ, რომ დაგვიკავშირდით, ბოდიშს გიხდით შეფერხებისთვის.",
        "შევამოწმე თქვენი შეკვეთა, ამანათი ადგილობრივ საწყობშია.",
        "პაროლის აღდგენის ახალი ბმული გამოგიგზავნეთ.",
        "თანხის დაბრუნება დადასტურდა და სამ-ხუთ დღეში ჩაირიცხება.",
        "შეგიძლიათ გამოგვიგზავნოთ დაზიანებული ნივთის ფოტო?",
        "მიწოდების მისამართი განვაახლე.",
        "კურიერი ხვალ დილით დაგიკავშირდებათ.",
        "ფასდაკლება ინვოისზე ავსახე.",
    ],
    "am": [
        "ስላገኙን እናመሰግናለን፣ ለተፈጠረው ችግር ይቅርታ።",
        "ትዕዛዝዎን አረጋግጫለሁ፣ ጥቅሉ በአካባቢው መጋዘን ነው።",
        "አዲስ የይለፍ ቃል መቀየሪያ አገናኝ ልኬልዎታለሁ።",
        "ገንዘብ ተመላሹ ጸድቋል በሶስት እስከ አምስት ቀናት ይደርሳል።",
        "የተበላሸውን ዕቃ ፎቶ ሊልኩልን ይችላሉ?",
        "የማድረሻ አድራሻዎን አዘምኛለሁ።",
        "መልእክተኛችን ነገ ጠዋት ያገኝዎታል።",
        "ቅናሹን በደረሰኝዎ ላይ አስገብቻለሁ።",
    ],
    "mn": [
        "Бидэнтэй холбогдсонд баярлалаа, төвөг учруулсанд уучлаарай.",
        "Таны захиалгыг шалгалаа, илгээмж орон нутгийн агуулахад байна.",
        "Нууц үг сэргээх шинэ холбоос илгээлээ.",
        "Буцаан олголт батлагдсан, гурваас таван өдөрт картад тань орно.",
        "Гэмтсэн барааны зургийг илгээж болох уу?",
        "Хүргэлтийн хаягийг шинэчиллээ.",
        "Манай шуудан зөөгч маргааш өглөө холбогдоно.",
        "Хямдралыг нэхэмжлэхэд тань оруулсан.",
    ],
    "te": [
        "మమ్మల్ని సంప్రదించినందుకు ధన్యవాదాలు, ఇబ్బందికి క్షమించండి.",
        "మీ ఆర్డర్ తనిఖీ చేశాను, పార్సెల్ స్థానిక గిడ్డంగిలో ఉంది.",
        "కొత్త పాస్‌వర్డ్ రీసెట్ లింక్ పంపాను.",
        "రీఫండ్ ఆమోదించబడింది, మూడు నుండి ఐదు రోజుల్లో మీ కార్డుకు వస్తుంది.",
        "దెబ్బతిన్న వస్తువు ఫోటో పంపగలరా?",
        "మీ డెలివరీ చిరునామాను అప్‌డేట్ చేశాను.",
        "మా కొరియర్ రేపు ఉదయం మిమ్మల్ని సంప్రదిస్తారు.",
        "డిస్కౌంట్‌ను మీ ఇన్వాయిస్‌కు వర్తింపజేశాను.",
    ],
}

# "Order 48213" in each language, followed by a number that makes each body distinct.
REFERENCE_WORD = {"en": "Order", "ka": "შეკვეთა", "am": "ትዕዛዝ", "mn": "Захиалга", "te": "ఆర్డర్"}

# The sentences that carry the rare words, per language of the ticket.
LATIN_RARE_SENTENCE = f"My bank says a {LATIN_RARE_WORD} was opened for this payment."
GEORGIAN_RARE_SENTENCE = f"მოითხოვება {GEORGIAN_RARE_WORD} ამ გადახდისთვის."

TEAMS = ["Billing", "Delivery", "Accounts", "Returns", "Technical", "Sales", "Tbilisi desk", "Addis desk"]
TAGS = [
    "vip",
    "refund",
    "delivery-delay",
    "damaged",
    "billing",
    "login",
    "address-change",
    "app-bug",
    "subscription",
    "complaint",
    "follow-up",
    "escalated",
    "warranty",
    "invoice",
    "courier",
    "discount",
    "cancellation",
    "duplicate-charge",
    "feedback",
    "urgent-callback",
]
FREE_MAIL_DOMAINS = ["mail.example", "inbox.example", "post.example", "webmail.example"]


def _check_pools() -> None:
    """The rare words must be rare: they may not hide in the ordinary pools."""
    for pools in (SUBJECTS, CUSTOMER_SENTENCES, AGENT_SENTENCES):
        for sentences in pools.values():
            for sentence in sentences:
                assert LATIN_RARE_WORD not in sentence.lower()
                assert GEORGIAN_RARE_WORD not in sentence


_check_pools()
