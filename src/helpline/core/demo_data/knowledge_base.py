"""The demo help center: articles on the demo stories' topics in every language the desk serves, one
agents-only article, and a community question with answers. Loaded through the knowledge base's own
import (`helpline kb import` takes the same records), so a second run changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from helpline.accounts.models import User
from helpline.core.actors import Actor
from helpline.customers.models import Customer
from helpline.knowledge import actions, community, transfer
from helpline.knowledge.models import Question, Visibility


@dataclass(frozen=True)
class DemoArticle:
    key: str
    category: str
    section: str
    faq: bool
    texts: dict[str, tuple[str, str]]  # language → (title, Markdown body)
    visibility: str = Visibility.PUBLIC


ARTICLES: list[DemoArticle] = [
    DemoArticle(
        key="track-parcel",
        category="Orders and delivery",
        section="Delivery",
        faq=True,
        texts={
            "en": (
                "Where is my parcel?",
                "Most parcels arrive within 48 hours of dispatch.\n\n"
                "1. Open the tracking link in your order confirmation email.\n"
                "2. “In transit” means the parcel is moving between our depots; the status changes at every scan.\n"
                "3. If the last scan is more than 3 days old, write to us with your order number and we will ask "
                "the depot to trace it.\n\n"
                "The courier calls before delivery; keep the phone number on your account up to date.",
            ),
            "ka": (
                "სად არის ჩემი ამანათი?",
                "ამანათების უმეტესობა გაგზავნიდან 48 საათში მოდის.\n\n"
                "1. გახსენით თვალთვალის ბმული შეკვეთის დადასტურების ელფოსტაში.\n"
                "2. „გზაშია“ ნიშნავს, რომ ამანათი ჩვენს საწყობებს შორის მოძრაობს; სტატუსი ყოველი სკანირებისას "
                "იცვლება.\n"
                "3. თუ ბოლო სკანირება 3 დღეზე ძველია, მოგვწერეთ შეკვეთის ნომრით და საწყობს ვთხოვთ მის მოძებნას.\n\n"
                "კურიერი მიტანამდე დაგირეკავთ; განაახლეთ ტელეფონის ნომერი თქვენს ანგარიშში.",
            ),
            "am": (
                "ጥቅሌ የት ነው?",
                "አብዛኞቹ ጥቅሎች ከተላኩ በ48 ሰዓት ውስጥ ይደርሳሉ።\n\n"
                "1. በትዕዛዝ ማረጋገጫ ኢሜይልዎ ውስጥ ያለውን የመከታተያ አገናኝ ይክፈቱ።\n"
                "2. «በመጓጓዝ ላይ» ማለት ጥቅሉ በመጋዘኖቻችን መካከል እየተጓዘ ነው ማለት ነው፤ ሁኔታው በእያንዳንዱ ቅኝት ይለወጣል።\n"
                "3. የመጨረሻው ቅኝት ከ3 ቀን በላይ ከሆነ፣ በትዕዛዝ ቁጥርዎ ይጻፉልን፤ መጋዘኑ እንዲፈልገው እንጠይቃለን።\n\n"
                "አድራሹ ከማድረሱ በፊት ይደውላል፤ በመለያዎ ላይ ያለውን ስልክ ቁጥር ያዘምኑ።",
            ),
            "mn": (
                "Миний илгээмж хаана байна?",
                "Ихэнх илгээмж илгээснээс хойш 48 цагийн дотор хүрдэг.\n\n"
                "1. Захиалгын баталгаажуулалтын имэйл дэх хянах холбоосыг нээнэ үү.\n"
                "2. «Замд яваа» гэдэг нь илгээмж манай агуулах хооронд явж байна гэсэн үг; төлөв нь уншуулах бүрт "
                "өөрчлөгдөнө.\n"
                "3. Сүүлийн уншуулалт 3 хоногоос илүү хуучин бол захиалгын дугаараа бичээд бидэнд хандана уу, бид "
                "агуулахаас хайлгана.\n\n"
                "Хүргэгч хүргэхээсээ өмнө залгана; бүртгэл дээрх утасны дугаараа шинэчилж байгаарай.",
            ),
            "te": (
                "నా పార్సెల్ ఎక్కడ ఉంది?",
                "చాలా పార్సెల్‌లు పంపిన 48 గంటల్లో చేరుతాయి.\n\n"
                "1. మీ ఆర్డర్ నిర్ధారణ ఇమెయిల్‌లోని ట్రాకింగ్ లింక్‌ను తెరవండి.\n"
                "2. “రవాణాలో ఉంది” అంటే పార్సెల్ మా డిపోల మధ్య ప్రయాణిస్తోంది; ప్రతి స్కాన్‌కు స్థితి మారుతుంది.\n"
                "3. చివరి స్కాన్ 3 రోజుల కంటే పాతదైతే, మీ ఆర్డర్ నంబర్‌తో మాకు రాయండి; డిపోను వెతకమని అడుగుతాము.\n\n"
                "డెలివరీకి ముందు కొరియర్ ఫోన్ చేస్తారు; మీ ఖాతాలోని ఫోన్ నంబర్‌ను తాజాగా ఉంచండి.",
            ),
        },
    ),
    DemoArticle(
        key="change-address",
        category="Orders and delivery",
        section="Delivery",
        faq=False,
        texts={
            "en": (
                "Changing the delivery address",
                "You can change the delivery address until the parcel leaves our sorting centre.\n\n"
                "- Before dispatch: write to us with the order number and the new address; we confirm by email.\n"
                "- After dispatch: the courier can redirect the parcel within the same city once; a new address in "
                "another city means the parcel comes back to us and is sent again.\n\n"
                "Always include a phone number the courier can call.",
            ),
            "ka": (
                "მიწოდების მისამართის შეცვლა",
                "მიწოდების მისამართის შეცვლა შეგიძლიათ მანამ, სანამ ამანათი ჩვენს დახარისხების ცენტრს დატოვებს.\n\n"
                "- გაგზავნამდე: მოგვწერეთ შეკვეთის ნომერი და ახალი მისამართი; დადასტურებას ელფოსტით გამოგიგზავნით.\n"
                "- გაგზავნის შემდეგ: კურიერს შეუძლია ამანათის ერთხელ გადამისამართება იმავე ქალაქში; სხვა ქალაქის "
                "მისამართის შემთხვევაში ამანათი ჩვენთან ბრუნდება და ხელახლა იგზავნება.\n\n"
                "ყოველთვის მიუთითეთ ტელეფონის ნომერი, რომელზეც კურიერი დაგირეკავთ.",
            ),
            "am": (
                "የማድረሻ አድራሻ መቀየር",
                "ጥቅሉ ከመደርደሪያ ማዕከላችን እስኪወጣ ድረስ የማድረሻ አድራሻውን መቀየር ይችላሉ።\n\n"
                "- ከመላኩ በፊት፦ የትዕዛዝ ቁጥሩን እና አዲሱን አድራሻ ይጻፉልን፤ በኢሜይል እናረጋግጣለን።\n"
                "- ከተላከ በኋላ፦ አድራሹ ጥቅሉን በዚያው ከተማ ውስጥ አንድ ጊዜ ሊያዞረው ይችላል፤ በሌላ ከተማ ያለ አዲስ አድራሻ "
                "ከሆነ ጥቅሉ ወደ እኛ ተመልሶ እንደገና ይላካል።\n\n"
                "አድራሹ ሊደውልበት የሚችል ስልክ ቁጥር ሁልጊዜ ያካትቱ።",
            ),
            "mn": (
                "Хүргэлтийн хаяг өөрчлөх",
                "Илгээмж манай ангилах төвөөс гарахаас өмнө хүргэлтийн хаягаа өөрчилж болно.\n\n"
                "- Илгээхээс өмнө: захиалгын дугаар болон шинэ хаягаа бидэнд бичээрэй; бид имэйлээр "
                "баталгаажуулна.\n"
                "- Илгээсний дараа: хүргэгч илгээмжийг нэг хотын дотор нэг удаа өөр хаяг руу чиглүүлж болно; өөр "
                "хотын хаяг бол илгээмж бидэн рүү буцаж, дахин илгээгдэнэ.\n\n"
                "Хүргэгчийн залгах утасны дугаарыг үргэлж бичээрэй.",
            ),
            "te": (
                "డెలివరీ చిరునామా మార్చడం",
                "పార్సెల్ మా సార్టింగ్ కేంద్రం నుండి బయలుదేరే వరకు మీరు డెలివరీ చిరునామాను మార్చవచ్చు.\n\n"
                "- పంపడానికి ముందు: ఆర్డర్ నంబర్ మరియు కొత్త చిరునామాను మాకు రాయండి; ఇమెయిల్ ద్వారా నిర్ధారిస్తాము.\n"
                "- పంపిన తర్వాత: కొరియర్ అదే నగరంలో ఒకసారి పార్సెల్‌ను దారి మళ్లించగలరు; వేరే నగరంలోని చిరునామా "
                "అయితే పార్సెల్ మాకు తిరిగి వచ్చి మళ్లీ పంపబడుతుంది.\n\n"
                "కొరియర్ కాల్ చేయగల ఫోన్ నంబర్‌ను ఎల్లప్పుడూ ఇవ్వండి.",
            ),
        },
    ),
    DemoArticle(
        key="returns",
        category="Orders and delivery",
        section="Returns",
        faq=True,
        texts={
            "en": (
                "Returning an item",
                "You can return an item within 30 days of delivery.\n\n"
                "1. Write to us with the order number and the item you are returning.\n"
                "2. We send a return label by email; print it and stick it on the original packaging.\n"
                "3. Hand the parcel to any of our pick-up points.\n\n"
                "The refund is made to your original payment method when the item reaches our warehouse, usually "
                "within 5 working days.",
            ),
            "ka": (
                "ნივთის დაბრუნება",
                "ნივთის დაბრუნება შეგიძლიათ მიღებიდან 30 დღის განმავლობაში.\n\n"
                "1. მოგვწერეთ შეკვეთის ნომერი და რომელ ნივთს აბრუნებთ.\n"
                "2. დაბრუნების ეტიკეტს ელფოსტით გამოგიგზავნით; ამობეჭდეთ და დააკარით ორიგინალ შეფუთვას.\n"
                "3. ამანათი ჩააბარეთ ჩვენს ნებისმიერ მიღების პუნქტში.\n\n"
                "თანხა დაგიბრუნდებათ გადახდის თავდაპირველ საშუალებაზე, როცა ნივთი ჩვენს საწყობში შემოვა, "
                "ჩვეულებრივ 5 სამუშაო დღეში.",
            ),
            "am": (
                "ዕቃ መመለስ",
                "ዕቃውን ከደረሰዎት በ30 ቀናት ውስጥ መመለስ ይችላሉ።\n\n"
                "1. የትዕዛዝ ቁጥሩን እና የሚመልሱትን ዕቃ ይጻፉልን።\n"
                "2. የመመለሻ መለያ በኢሜይል እንልካለን፤ አትመው በመጀመሪያው ማሸጊያ ላይ ይለጥፉት።\n"
                "3. ጥቅሉን ለማንኛውም የመቀበያ ቦታችን ያስረክቡ።\n\n"
                "ዕቃው መጋዘናችን ሲደርስ ገንዘቡ በመጀመሪያው የክፍያ ዘዴዎ ይመለሳል፤ ብዙውን ጊዜ በ5 የሥራ ቀናት ውስጥ።",
            ),
            "mn": (
                "Бараа буцаах",
                "Барааг хүлээн авснаас хойш 30 хоногийн дотор буцааж болно.\n\n"
                "1. Захиалгын дугаар болон буцаах барааныхаа тухай бидэнд бичээрэй.\n"
                "2. Бид буцаах шошгыг имэйлээр илгээнэ; хэвлээд анхны савлагаан дээр наагаарай.\n"
                "3. Илгээмжийг манай аль ч хүлээн авах цэгт хүлээлгэн өгнө үү.\n\n"
                "Бараа манай агуулахад ирэхэд мөнгийг анхны төлбөрийн хэрэгслээр тань буцаан олгоно, ихэвчлэн 5 "
                "ажлын өдөрт.",
            ),
            "te": (
                "వస్తువును తిరిగి ఇవ్వడం",
                "డెలివరీ అయిన 30 రోజుల్లోపు మీరు వస్తువును తిరిగి ఇవ్వవచ్చు.\n\n"
                "1. ఆర్డర్ నంబర్ మరియు మీరు తిరిగి ఇస్తున్న వస్తువు వివరాలను మాకు రాయండి.\n"
                "2. మేము ఇమెయిల్ ద్వారా రిటర్న్ లేబుల్ పంపుతాము; దాన్ని ప్రింట్ చేసి అసలు ప్యాకేజింగ్‌పై అతికించండి.\n"
                "3. పార్సెల్‌ను మా ఏదైనా పికప్ కేంద్రంలో అప్పగించండి.\n\n"
                "వస్తువు మా గిడ్డంగికి చేరినప్పుడు, సాధారణంగా 5 పని దినాల్లో, మీ అసలు చెల్లింపు పద్ధతికి రీఫండ్ "
                "చేయబడుతుంది.",
            ),
        },
    ),
    DemoArticle(
        key="double-charge",
        category="Billing",
        section="Payments and refunds",
        faq=True,
        texts={
            "en": (
                "Charged twice or a refund is missing",
                "If a payment appears twice, one of them is usually a retry after a timeout.\n\n"
                "1. Check your bank statement for two payments of the same amount on the same day.\n"
                "2. Write to us with the date, the amount and the last four digits of the card (never the whole "
                "number).\n"
                "3. We refund the duplicate to the same card; it reaches you within 3–5 working days.\n\n"
                "A refund for a returned item is made when the item reaches our warehouse.",
            ),
            "ka": (
                "ორმაგი ჩამოჭრა და თანხის დაბრუნება",
                "თუ გადახდა ორჯერ ჩანს, ერთ-ერთი, როგორც წესი, დროის ამოწურვის შემდეგ განმეორებითი მცდელობაა.\n\n"
                "1. შეამოწმეთ საბანკო ამონაწერში ერთი და იმავე დღის ორი ერთნაირი გადახდა.\n"
                "2. მოგვწერეთ თარიღი, თანხა და ბარათის ბოლო ოთხი ციფრი (არასოდეს მთლიანი ნომერი).\n"
                "3. ზედმეტ თანხას იმავე ბარათზე დაგიბრუნებთ; ის 3–5 სამუშაო დღეში ჩაირიცხება.\n\n"
                "დაბრუნებული ნივთის თანხა ბრუნდება მაშინ, როცა ნივთი ჩვენს საწყობში შემოვა.",
            ),
            "am": (
                "ሁለት ጊዜ ተከፍሏል? ገንዘብ ተመላሽ",
                "ክፍያ ሁለት ጊዜ ከታየ፣ አንዱ ብዙውን ጊዜ ከጊዜ ማለፍ በኋላ የተደረገ ድጋሚ ሙከራ ነው።\n\n"
                "1. በባንክ መግለጫዎ ላይ በአንድ ቀን የተደረጉ ሁለት ተመሳሳይ ክፍያዎችን ይመልከቱ።\n"
                "2. ቀኑን፣ መጠኑን እና የካርዱን የመጨረሻ አራት አሃዞች ይጻፉልን (ሙሉውን ቁጥር በጭራሽ አይላኩ)።\n"
                "3. ትርፉን ክፍያ ወደዚያው ካርድ እንመልሳለን፤ በ3–5 የሥራ ቀናት ውስጥ ይደርስዎታል።\n\n"
                "ለተመለሰ ዕቃ ገንዘቡ የሚመለሰው ዕቃው መጋዘናችን ሲደርስ ነው።",
            ),
            "mn": (
                "Хоёр удаа төлбөр суусан уу? Буцаан олголт",
                "Төлбөр хоёр удаа харагдвал ихэвчлэн нэг нь хугацаа хэтэрсний дараах давтан оролдлого байдаг.\n\n"
                "1. Банкны хуулгаасаа нэг өдөр хийгдсэн ижил дүнтэй хоёр төлбөрийг шалгана уу.\n"
                "2. Огноо, дүн болон картын сүүлийн дөрвөн оронг бидэнд бичээрэй (бүтэн дугаарыг хэзээ ч бүү "
                "явуул).\n"
                "3. Илүү төлбөрийг тэр картад буцаан олгоно; 3–5 ажлын өдөрт орж ирнэ.\n\n"
                "Буцаасан барааны мөнгийг бараа манай агуулахад ирэхэд буцаан олгоно.",
            ),
            "te": (
                "రెండుసార్లు ఛార్జ్ అయిందా? రీఫండ్‌లు",
                "చెల్లింపు రెండుసార్లు కనిపిస్తే, సాధారణంగా వాటిలో ఒకటి టైమ్‌అవుట్ తర్వాత మళ్లీ ప్రయత్నించినది.\n\n"
                "1. ఒకే రోజున ఒకే మొత్తంలో రెండు చెల్లింపులు ఉన్నాయేమో మీ బ్యాంక్ స్టేట్‌మెంట్‌లో చూడండి.\n"
                "2. తేదీ, మొత్తం మరియు కార్డ్ చివరి నాలుగు అంకెలను మాకు రాయండి (పూర్తి నంబర్‌ను ఎప్పుడూ పంపవద్దు).\n"
                "3. అదనపు చెల్లింపును అదే కార్డ్‌కు తిరిగి ఇస్తాము; 3–5 పని దినాల్లో మీకు చేరుతుంది.\n\n"
                "తిరిగి పంపిన వస్తువుకు రీఫండ్ ఆ వస్తువు మా గిడ్డంగికి చేరినప్పుడు జరుగుతుంది.",
            ),
        },
    ),
    DemoArticle(
        key="router-red-light",
        category="Internet and devices",
        section="Router",
        faq=True,
        texts={
            "en": (
                "Router light blinking red",
                "A blinking red light means the router has lost the line signal.\n\n"
                "1. Check that the grey line cable is firmly plugged in at both ends.\n"
                "2. Switch the router off, wait 30 seconds and switch it on again.\n"
                "3. If the light is still red after five minutes, write to us with the router model (on the sticker "
                "underneath); we check the line from our side and send a technician if needed.\n\n"
                "A steady green light means everything is working.",
            ),
            "ka": (
                "როუტერის წითელი ნათურა ციმციმებს",
                "წითლად მოციმციმე ნათურა ნიშნავს, რომ როუტერმა ხაზის სიგნალი დაკარგა.\n\n"
                "1. შეამოწმეთ, რომ ნაცრისფერი კაბელი ორივე მხარეს მჭიდროდაა შეერთებული.\n"
                "2. გამორთეთ როუტერი, დაელოდეთ 30 წამს და ისევ ჩართეთ.\n"
                "3. თუ ხუთი წუთის შემდეგაც წითელია, მოგვწერეთ როუტერის მოდელი (ქვედა მხარეს სტიკერზე); ხაზს ჩვენი "
                "მხრიდან შევამოწმებთ და საჭიროების შემთხვევაში ტექნიკოსს გამოგიგზავნით.\n\n"
                "მუდმივი მწვანე ნათურა ნიშნავს, რომ ყველაფერი მუშაობს.",
            ),
            "am": (
                "የራውተሩ ቀይ መብራት ብልጭ ድርግም ይላል",
                "ብልጭ ድርግም የሚል ቀይ መብራት ራውተሩ የመስመር ምልክት አጥቷል ማለት ነው።\n\n"
                "1. ግራጫው የመስመር ገመድ በሁለቱም ጫፎች በደንብ መሰካቱን ያረጋግጡ።\n"
                "2. ራውተሩን ያጥፉት፣ 30 ሰከንድ ይጠብቁ እና እንደገና ያብሩት።\n"
                "3. ከአምስት ደቂቃ በኋላም ቀይ ከሆነ፣ የራውተሩን ሞዴል (ከስር ባለው ተለጣፊ ላይ) ይጻፉልን፤ መስመሩን ከእኛ "
                "በኩል እንፈትሻለን፣ አስፈላጊ ከሆነም ቴክኒሻን እንልካለን።\n\n"
                "የማይለዋወጥ አረንጓዴ መብራት ሁሉም ነገር እየሰራ ነው ማለት ነው።",
            ),
            "mn": (
                "Чиглүүлэгчийн улаан гэрэл анивчиж байна",
                "Улаанаар анивчих гэрэл нь чиглүүлэгч шугамын дохиогоо алдсан гэсэн үг.\n\n"
                "1. Саарал шугамын кабель хоёр үзүүртээ сайн залгагдсан эсэхийг шалгана уу.\n"
                "2. Чиглүүлэгчээ унтрааж, 30 секунд хүлээгээд дахин асаана уу.\n"
                "3. Таван минутын дараа ч улаан хэвээр байвал чиглүүлэгчийн загварыг (доод талын наалт дээр) бидэнд "
                "бичээрэй; бид шугамыг өөрсдийн талаас шалгаж, шаардлагатай бол техникч илгээнэ.\n\n"
                "Тогтмол ногоон гэрэл бүх зүйл хэвийн ажиллаж байгааг илтгэнэ.",
            ),
            "te": (
                "రౌటర్ ఎరుపు లైట్ మెరుస్తోంది",
                "ఎరుపు లైట్ మెరుస్తుంటే రౌటర్ లైన్ సిగ్నల్ కోల్పోయిందని అర్థం.\n\n"
                "1. బూడిద రంగు లైన్ కేబుల్ రెండు చివర్లలో గట్టిగా ప్లగ్ చేయబడిందో లేదో చూడండి.\n"
                "2. రౌటర్‌ను ఆఫ్ చేసి, 30 సెకన్లు ఆగి, మళ్లీ ఆన్ చేయండి.\n"
                "3. ఐదు నిమిషాల తర్వాత కూడా ఎరుపుగా ఉంటే, రౌటర్ మోడల్‌ను (కింద ఉన్న స్టిక్కర్‌పై) మాకు రాయండి; మా "
                "వైపు నుండి లైన్‌ను తనిఖీ చేసి, అవసరమైతే టెక్నీషియన్‌ను పంపుతాము.\n\n"
                "స్థిరమైన ఆకుపచ్చ లైట్ అంటే అంతా పనిచేస్తోందని అర్థం.",
            ),
        },
    ),
    DemoArticle(
        key="password-reset",
        category="Account",
        section="Signing in",
        faq=True,
        texts={
            "en": (
                "Resetting your password",
                "1. On the sign-in page, choose **Forgot password**.\n"
                "2. Enter the email address of your account; a reset link arrives within a few minutes (check the "
                "spam folder too).\n"
                "3. The link works for one hour and only once. Choose a new password of at least 10 characters.\n\n"
                "If no email arrives, write to us from the address on your account and we will check it.",
            ),
            "ka": (
                "პაროლის აღდგენა",
                "1. შესვლის გვერდზე აირჩიეთ **დაგავიწყდათ პაროლი?**\n"
                "2. შეიყვანეთ თქვენი ანგარიშის ელფოსტის მისამართი; აღდგენის ბმული რამდენიმე წუთში მოვა (შეამოწმეთ "
                "სპამის საქაღალდეც).\n"
                "3. ბმული მოქმედებს ერთი საათის განმავლობაში და მხოლოდ ერთხელ. აირჩიეთ ახალი პაროლი, მინიმუმ 10 "
                "სიმბოლო.\n\n"
                "თუ წერილი არ მოვიდა, მოგვწერეთ თქვენი ანგარიშის მისამართიდან და შევამოწმებთ.",
            ),
            "am": (
                "የይለፍ ቃልዎን ዳግም ማስጀመር",
                "1. በመግቢያ ገጹ ላይ **የይለፍ ቃል ረሳሁ** የሚለውን ይምረጡ።\n"
                "2. የመለያዎን ኢሜይል አድራሻ ያስገቡ፤ የዳግም ማስጀመሪያ አገናኝ በጥቂት ደቂቃዎች ውስጥ ይደርሳል (የአይፈለጌ "
                "መልዕክት አቃፊንም ይመልከቱ)።\n"
                "3. አገናኙ ለአንድ ሰዓት እና ለአንድ ጊዜ ብቻ ይሰራል። ቢያንስ 10 ቁምፊዎች ያሉት አዲስ የይለፍ ቃል ይምረጡ።\n\n"
                "ኢሜይል ካልደረሰ፣ በመለያዎ ላይ ካለው አድራሻ ይጻፉልን፤ እንፈትሻለን።",
            ),
            "mn": (
                "Нууц үгээ сэргээх",
                "1. Нэвтрэх хуудсан дээр **Нууц үгээ мартсан** гэснийг сонгоно уу.\n"
                "2. Бүртгэлийнхээ имэйл хаягийг оруулна уу; сэргээх холбоос хэдэн минутын дотор ирнэ (спам хавтсаа "
                "ч шалгаарай).\n"
                "3. Холбоос нэг цагийн турш, зөвхөн нэг удаа ажиллана. Дор хаяж 10 тэмдэгттэй шинэ нууц үг сонгоно "
                "уу.\n\n"
                "Имэйл ирэхгүй бол бүртгэлтэй хаягаасаа бидэнд бичээрэй, бид шалгана.",
            ),
            "te": (
                "మీ పాస్‌వర్డ్‌ను రీసెట్ చేయడం",
                "1. సైన్-ఇన్ పేజీలో **పాస్‌వర్డ్ మర్చిపోయారా** ఎంచుకోండి.\n"
                "2. మీ ఖాతా ఇమెయిల్ చిరునామాను నమోదు చేయండి; రీసెట్ లింక్ కొన్ని నిమిషాల్లో వస్తుంది (స్పామ్ "
                "ఫోల్డర్‌ను కూడా చూడండి).\n"
                "3. లింక్ ఒక గంట పాటు, ఒక్కసారి మాత్రమే పనిచేస్తుంది. కనీసం 10 అక్షరాలతో కొత్త పాస్‌వర్డ్‌ను "
                "ఎంచుకోండి.\n\n"
                "ఇమెయిల్ రాకపోతే, మీ ఖాతాలోని చిరునామా నుండి మాకు రాయండి; మేము తనిఖీ చేస్తాము.",
            ),
        },
    ),
    DemoArticle(
        key="trace-lost-parcel",
        category="Orders and delivery",
        section="Delivery",
        faq=False,
        visibility=Visibility.AGENTS,
        texts={
            "en": (
                "Tracing a lost parcel with the depot (agents)",
                "When the last scan of a parcel is more than 3 days old:\n\n"
                "1. Tag the ticket **delivery** and set it to pending while the depot looks.\n"
                "2. Write to the depot manager with the order number, the last scan and the address.\n"
                "3. If the depot has not found it within 2 working days, offer the customer a new shipment or a "
                "refund, and add an internal note with the depot's answer.",
            ),
        },
    ),
]

# The help center's headings in the other languages (English is the name itself).
HEADINGS: dict[str, dict[str, str]] = {
    "Orders and delivery": {
        "ka": "შეკვეთები და მიწოდება",
        "am": "ትዕዛዞች እና ማድረስ",
        "mn": "Захиалга ба хүргэлт",
        "te": "ఆర్డర్‌లు మరియు డెలివరీ",
    },
    "Delivery": {"ka": "მიწოდება", "am": "ማድረስ", "mn": "Хүргэлт", "te": "డెలివరీ"},
    "Returns": {"ka": "დაბრუნება", "am": "ተመላሾች", "mn": "Буцаалт", "te": "రిటర్న్‌లు"},
    "Billing": {"ka": "ანგარიშსწორება", "am": "ክፍያ መጠየቂያ", "mn": "Төлбөр тооцоо", "te": "బిల్లింగ్"},
    "Payments and refunds": {
        "ka": "გადახდები და თანხის დაბრუნება",
        "am": "ክፍያዎች እና ተመላሽ ገንዘብ",
        "mn": "Төлбөр ба буцаан олголт",
        "te": "చెల్లింపులు మరియు రీఫండ్‌లు",
    },
    "Internet and devices": {
        "ka": "ინტერნეტი და მოწყობილობები",
        "am": "ኢንተርኔት እና መሣሪያዎች",
        "mn": "Интернэт ба төхөөрөмж",
        "te": "ఇంటర్నెట్ మరియు పరికరాలు",
    },
    "Router": {"ka": "როუტერი", "am": "ራውተር", "mn": "Чиглүүлэгч", "te": "రౌటర్"},
    "Account": {"ka": "ანგარიში", "am": "መለያ", "mn": "Бүртгэл", "te": "ఖాతా"},
    "Signing in": {"ka": "სისტემაში შესვლა", "am": "መግባት", "mn": "Нэвтрэх", "te": "సైన్ ఇన్"},
}

# A customer's question with another customer's answer and an agent's accepted answer.
COMMUNITY_QUESTION = (
    "Can I collect my parcel from the depot myself?",
    "The courier keeps missing me during the day. Is it possible to pick the parcel up at the depot instead?",
)
COMMUNITY_ANSWERS = (
    "I did that last month: I brought my ID and the order number and they gave it to me at the counter.",
    "Yes: after a missed delivery the parcel waits 7 days at the depot. Bring an ID and the order number; "
    "the opening hours are on the depot page of your tracking link.",
)


def records() -> list[transfer.Record]:
    return [
        transfer.Record(
            key=article.key,
            language=language,
            title=title,
            body=body,
            category=article.category,
            section=article.section,
            visibility=article.visibility,
            faq=article.faq,
            origin=f"demo:{article.key}:{language}",
        )
        for article in ARTICLES
        for language, (title, body) in article.texts.items()
    ]


def ensure_knowledge_base(editor: User, customers: list[Customer]) -> dict[str, int]:
    """Import the articles (unchanged ones are left alone) and, once, the community question."""
    created = {"articles": 0, "community Q&A": 0}
    editor_actor = Actor.of_agent(editor)
    for category, section in dict.fromkeys((a.category, a.section) for a in ARTICLES):
        actions.ensure_section(
            actor=editor_actor,
            category_name=category,
            section_name=section,
            category_names=HEADINGS.get(category),
            section_names=HEADINGS.get(section),
        )
    for _record, outcome in transfer.import_records(actor=editor_actor, records=records()):
        if outcome.startswith("error"):
            raise RuntimeError(f"demo article {_record.origin}: {outcome}")
        created["articles"] += outcome == "created"
    title, body = COMMUNITY_QUESTION
    if len(customers) >= 2 and not Question.objects.filter(title=title).exists():
        asker, neighbour = customers[0], customers[1]
        question = community.ask_question(actor=Actor.of_customer(asker), title=title, body=body)
        community.answer_question(actor=Actor.of_customer(neighbour), question=question, body=COMMUNITY_ANSWERS[0])
        accepted = community.answer_question(actor=Actor.of_agent(editor), question=question, body=COMMUNITY_ANSWERS[1])
        community.vote(actor=Actor.of_customer(neighbour), value=1, question=question)
        community.accept_answer(actor=Actor.of_customer(asker), answer=accepted)
        created["community Q&A"] += 1
    return created
