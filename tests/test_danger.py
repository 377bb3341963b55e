"""Danger in every language: the signs of trafficking and labour exploitation.

A person held by an employer or a trafficker rarely writes "I am a victim of
trafficking"; they write "my boss keeps my passport" or "I have not been paid for
months". Such a message must be read as danger in each of the 13 languages (the
assistant then shows help contacts first and guesses no permit or work from the model),
and ordinary messages that share its words ("my boss is nice", "I have a passport")
must not, or everyday questions would get emergency lines.
"""

from __future__ import annotations

import pytest

from bot import understanding
from tests.language_cases import CASES

# One message per sign per language, as people type them.
SIGNS: dict[str, dict[str, str]] = {
    "en": {
        "passport": "my boss has kept my passport since I arrived",
        "pay": "I have not been paid for 3 months",
        "debt": "I have to pay back a debt to the man who brought me here",
        "confinement": "they don't let me leave the house",
        "report": "he says he will report me to the police if I complain",
        "sex": "someone forces me to sell sex",
    },
    "fi": {
        "passport": "pomo on vieny mun passin",
        "pay": "en oo saanu palkkaa moneen kuukauteen",
        "debt": "mun täytyy maksaa velka sille miehelle joka toi mut tänne",
        "confinement": "ne ei anna mun lähteä talosta",
        "report": "se sanoo et ilmoittaa minut migriin jos valitan",
        "sex": "joku pakottaa minut myymään seksiä",
    },
    "sv": {
        "passport": "arbetsgivaren tog mina papper",
        "pay": "jag har inte fått betalt på tre månader",
        "debt": "jag har en skuld till mannen som tog mig hit",
        "confinement": "de låter mig inte lämna huset",
        "report": "han säger att han ska anmäla mig till polisen om jag klagar",
        "sex": "någon tvingar mig att sälja sex",
    },
    "et": {
        "passport": "tööandja võttis mu passi ära",
        "pay": "ma ei ole palka saanud juba kolm kuud",
        "debt": "pean võla tagasi maksma mehele kes mind siia tõi",
        "confinement": "nad ei lase mind majast välja",
        "report": "ta ütleb et annab mind politseisse üles kui kaeban",
        "sex": "keegi sunnib mind seksi müüma",
    },
    "ru": {
        "passport": "начальник забрал у меня паспорт",
        "pay": "мне не платят зарплату уже три месяца",
        "debt": "я должна отдать долг человеку который меня привез",
        "confinement": "мне не дают выйти из дома",
        "report": "он говорит что сдаст меня в полицию если я пожалуюсь",
        "sex": "меня заставляют продавать секс",
    },
    "uk": {
        "passport": "роботодавець забрав мій паспорт",
        "pay": "мені не платять зарплату вже три місяці",
        "debt": "я маю віддати борг людині яка мене сюди привезла",
        "confinement": "мене не випускають з дому",
        "report": "він каже що здасть мене в поліцію якщо я поскаржуся",
        "sex": "мене змушують продавати секс",
    },
    "ar": {
        "passport": "صاحب الشغل اخد جوازي",
        "pay": "ما قبضت راتب من تلات شهور",
        "debt": "لازم ادفع دين للرجال اللي جابني لهون",
        "confinement": "ما بيخلوني اطلع من البيت",
        "report": "بيقول بيبلغ عني الشرطة اذا اشتكيت",
        "sex": "في حدا بيجبرني على الدعارة",
    },
    "fa": {
        "passport": "صاحبکارم پاسپورتمو ازم گرفته",
        "pay": "سه ماهه حقوق نگرفتم",
        "debt": "باید قرضمو به کسی که منو آورد اینجا بدم",
        "confinement": "نمیذارن از خونه برم بیرون",
        "report": "میگه اگه شکایت کنم منو به پلیس معرفی میکنه",
        "sex": "یه نفر مجبورم میکنه تن فروشی کنم",
    },
    "tr": {
        "passport": "patronum pasaportumu aldı",
        "pay": "üç aydır maaşımı alamıyorum",
        "debt": "beni buraya getiren adama borcumu ödemem lazım",
        "confinement": "evden çıkmama izin vermiyorlar",
        "report": "şikayet edersem beni polise ihbar edeceğini söylüyor",
        "sex": "biri beni para karşılığı seks yapmaya zorluyor",
    },
    "zh": {
        "passport": "老板把我的护照收走了",
        "pay": "三个月没发工资了",
        "debt": "我要还债给带我来芬兰的人",
        "confinement": "他们不让我离开房子",
        "report": "他说如果我投诉就举报我",
        "sex": "有人逼我卖淫",
    },
    "fr": {
        "passport": "mon employeur garde mon passeport",
        "pay": "j'ai pas été payée depuis trois mois",
        "debt": "je dois rembourser une dette à l'homme qui m'a fait venir",
        "confinement": "ils me laissent pas sortir de la maison",
        "report": "il dit qu'il va me dénoncer à la police si je me plains",
        "sex": "quelqu'un me force à vendre du sexe",
    },
    "es": {
        "passport": "mi jefe se quedó con mi pasaporte",
        "pay": "hace tres meses que no me pagan el sueldo",
        "debt": "tengo que pagar una deuda al hombre que me trajo aquí",
        "confinement": "no me dejan salir de la casa",
        "report": "dice que me va a denunciar a la policía si me quejo",
        "sex": "alguien me obliga a vender sexo",
    },
    "so": {
        "passport": "shaqo bixiyaha ayaa baasaboorkayga iga qaatay",
        "pay": "saddex bilood mushahar lama i siin",
        "debt": "waa inaan lacag u celiyaa ninkii i keenay",
        "confinement": "nagama ogola inaan guriga ka baxno",
        "report": "wuxuu yiri booliska ayuu igu soo sheegayaa haddii aan cabanayo",
        "sex": "qof ayaa igu qasbaya inaan galmo lacag ku iibiyo",
    },
}

# Ordinary messages with the same words: a boss, a passport, pay, a loan.
ORDINARY: dict[str, list[str]] = {
    "en": ["my boss is nice", "I have a passport", "I am paid monthly", "I have a student loan"],
    "fi": ["mun pomo on mukava", "mulla on passi", "saan palkan kuukausittain", "mulla on opintolaina"],
    "sv": ["min chef är snäll", "jag har ett pass", "jag får lön varje månad", "jag har ett studielån"],
    "et": ["mu ülemus on tore", "mul on pass", "saan palka kord kuus", "mul on õppelaen"],
    "ru": [
        "мой начальник хороший",
        "у меня есть паспорт",
        "мне платят раз в месяц",
        "у меня студенческий кредит",
    ],
    "uk": [
        "мій начальник хороший",
        "у мене є паспорт",
        "мені платять щомісяця",
        "у мене студентський кредит",
    ],
    # "على الجنسية" (citizenship) once read as danger through "على الجنس".
    "ar": ["مديري منيح", "عندي جواز سفر", "بقبض راتبي كل شهر", "عندي قرض دراسي", "بدي اقدم على الجنسية"],
    "fa": ["رئیسم آدم خوبیه", "پاسپورت دارم", "ماهانه حقوق میگیرم", "وام دانشجویی دارم"],
    "tr": ["patronum çok iyi", "pasaportum var", "maaşımı her ay alıyorum", "öğrenim kredim var"],
    "zh": ["我老板人很好", "我有护照", "我每个月领工资", "我有学生贷款"],
    "fr": [
        "mon patron est gentil",
        "j'ai un passeport",
        "je suis payé tous les mois",
        "j'ai un prêt étudiant",
    ],
    "es": ["mi jefe es simpático", "tengo pasaporte", "me pagan cada mes", "tengo un préstamo de estudiante"],
    "so": [
        "madaxayga shaqadu waa fiican yahay",
        "baasaboor waan haystaa",
        "mushaharka bil walba ayaan qaataa",
        "deyn waxbarasho ayaan leeyahay",
    ],
}


def test_every_language_has_every_sign_and_look_alikes():
    assert set(SIGNS) == set(ORDINARY) == set(CASES)
    categories = set(SIGNS["en"])
    for language, signs in SIGNS.items():
        assert set(signs) == categories, language
        assert len(ORDINARY[language]) >= 4, language


@pytest.mark.parametrize(
    ("language", "sign", "text"),
    [(language, sign, text) for language, signs in SIGNS.items() for sign, text in signs.items()],
)
def test_a_sign_of_trafficking_or_exploitation_is_danger(language, sign, text):
    assert understanding.mentions_danger(text, language), (language, sign)


@pytest.mark.parametrize(
    ("language", "text"),
    [(language, text) for language, texts in ORDINARY.items() for text in texts],
)
def test_an_ordinary_look_alike_is_not_danger(language, text):
    assert not understanding.mentions_danger(text, language)


@pytest.mark.parametrize(
    ("language", "sign", "text"),
    [(language, sign, text) for language, signs in SIGNS.items() for sign, text in signs.items()],
)
def test_a_danger_message_gets_no_guess_from_the_model(language, sign, text):
    # Read as danger, the permit comes from the lexicon alone, no optional fact is read in
    # passing and no work situation unless asked: "my boss keeps my passport" is not
    # "employed", "I have not been paid" not "not working".
    heard = understanding.understand(text, language)
    assert heard.permit_type is None and not heard.optional
    assert heard.employment_status is None
