"""One main path per launch language: what a person types, and what it must mean.

Shared by the lexicon tests (tests/test_understanding.py) and the Rasa test stories
(tests/e2e/test_stories.py). `facts` is one message that gives all four facts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    greet: str
    yes: str
    facts: str
    expected: dict  # permit_type, municipality, age, employment_status
    thanks: str
    help: str


CASES = {
    "fi": Case(
        "hyvää päivää",  # "hei" and "moi" are hello and goodbye in Finnish: ambiguous alone
        "kyllä",
        "olen 45-vuotias kiintiöpakolainen ja asun Tampereella, olen kotona lasten kanssa",
        {
            "permit_type": "quota_refugee",
            "municipality": "Tampere",
            "age": 45,
            "employment_status": "home_parent",
        },
        "kiitos",
        "miten tämä toimii",
    ),
    "sv": Case(
        "hej",
        "ja",
        "jag är 38 år, kvotflykting och bor i Vasa, jag är hemma med barnen",
        {
            "permit_type": "quota_refugee",
            "municipality": "Vaasa",
            "age": 38,
            "employment_status": "home_parent",
        },
        "tack",
        "hur fungerar det här",
    ),
    "en": Case(
        "hello",
        "yes",
        "I'm a 45-year-old quota refugee in Tampere, at home with my kids",
        {
            "permit_type": "quota_refugee",
            "municipality": "Tampere",
            "age": 45,
            "employment_status": "home_parent",
        },
        "thank you",
        "how does this work",
    ),
    "et": Case(
        "tere",
        "jah",
        "olen 33-aastane, mul on elamisluba töö alusel, elan Espoos ja töötan",
        {"permit_type": "work", "municipality": "Espoo", "age": 33, "employment_status": "employed"},
        "aitäh",
        "kuidas see töötab",
    ),
    "ru": Case(
        "здравствуйте",
        "да",
        "мне 40 лет, у меня временная защита, живу в Эспоо, не работаю",
        {
            "permit_type": "temporary_protection",
            "municipality": "Espoo",
            "age": 40,
            "employment_status": "not_working",
        },
        "спасибо",
        "как это работает",
    ),
    "uk": Case(
        "привіт",
        "так",
        "мені 29 років, маю тимчасовий захист, живу в Гельсінкі, не працюю",
        {
            "permit_type": "temporary_protection",
            "municipality": "Helsinki",
            "age": 29,
            "employment_status": "not_working",
        },
        "дякую",
        "як це працює",
    ),
    "ar": Case(
        "مرحبا",
        "نعم",
        "عمري ٣٥ سنة، عندي حماية دولية، أعيش في إسبو وأنا مسجل كباحث عن عمل",
        {
            "permit_type": "international_protection",
            "municipality": "Espoo",
            "age": 35,
            "employment_status": "jobseeker",
        },
        "شكرا",
        "كيف يعمل هذا",
    ),
    "fa": Case(
        "سلام",
        "بله",
        "۳۰ ساله هستم، پناهنده با حمایت بین المللی، در هلسینکی زندگی می کنم و کار نمی کنم",
        {
            "permit_type": "international_protection",
            "municipality": "Helsinki",
            "age": 30,
            "employment_status": "not_working",
        },
        "ممنون",
        "این چطور کار می کند",
    ),
    "so": Case(
        "salaan",
        "haa",
        "waxaan ahay qaxooti kootada ah, 40 jir, waxaan ku noolahay Helsinki, ma shaqeeyo",
        {
            "permit_type": "quota_refugee",
            "municipality": "Helsinki",
            "age": 40,
            "employment_status": "not_working",
        },
        "mahadsanid",
        "sidee buu u shaqeeyaa",
    ),
    "tr": Case(
        "merhaba",
        "evet",
        "32 yaşındayım, çalışma iznim var, Tampere'de yaşıyorum ve çalışıyorum",
        {"permit_type": "work", "municipality": "Tampere", "age": 32, "employment_status": "employed"},
        "teşekkürler",
        "bu nasıl çalışıyor",
    ),
    "zh": Case(
        "你好",
        "是的",
        "我35岁，有国际保护身份，住在赫尔辛基，没有工作",
        {
            "permit_type": "international_protection",
            "municipality": "Helsinki",
            "age": 35,
            "employment_status": "not_working",
        },
        "谢谢",
        "这个怎么用",
    ),
    "fr": Case(
        "bonjour",
        "oui",
        "j'ai 28 ans, je suis réfugié avec une protection internationale, "
        "j'habite à Vantaa et je cherche du travail",
        {
            "permit_type": "international_protection",
            "municipality": "Vantaa",
            "age": 28,
            "employment_status": "jobseeker",
        },
        "merci",
        "comment ça marche",
    ),
    "es": Case(
        "hola",
        "sí",
        "tengo 31 años, tengo permiso por reagrupación familiar, vivo en Turku y estoy en casa con mis hijos",
        {"permit_type": "family", "municipality": "Turku", "age": 31, "employment_status": "home_parent"},
        "gracias",
        "cómo funciona esto",
    ),
}
