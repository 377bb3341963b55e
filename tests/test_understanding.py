"""Values in free text, per language, from the lexicons (no trained model needed)."""

from __future__ import annotations

import pytest

from bot import understanding
from bot.facts import EMPLOYMENT_STATUSES, PERMIT_TYPES
from bot.i18n import languages
from tests.language_cases import CASES


def test_every_launch_language_has_a_lexicon_and_nlu_data():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for code in CASES:
        assert code in understanding.lexicons(), code
        assert (root / "data" / "nlu" / f"{code}.yml").exists(), code
        assert code in languages(), code


@pytest.mark.parametrize("code", CASES)
def test_lexicon_covers_every_value(code):
    lex = understanding.lexicons()[code]
    for permit in PERMIT_TYPES:
        assert sum(p.value == permit for p in lex.permit_type) >= 3, (code, permit)
    for status in EMPLOYMENT_STATUSES:
        assert sum(p.value == status for p in lex.employment_status) >= 3, (code, status)
    assert len(lex.danger) >= 20
    assert {p.value for p in lex.yes_no} == {"yes", "no", "dont_know"}
    assert lex.own_age and lex.not_age


@pytest.mark.parametrize("code", CASES)
def test_one_message_gives_all_four_facts(code):
    case = CASES[code]
    heard = understanding.understand(case.facts, code)
    got = {
        "permit_type": heard.permit_type,
        "municipality": heard.municipality,
        "age": heard.age,
        "employment_status": heard.employment_status,
    }
    assert got == case.expected


@pytest.mark.parametrize(
    ("text", "language", "age"),
    [
        ("34", "en", 34),
        ("٣٤", "ar", 34),
        ("۳۴", "fa", 34),
        ("forty five", "en", 45),
        ("neljäkymmentäviisi", "fi", 45),
        ("fyrtiofem", "sv", 45),
        ("сорок пять", "ru", 45),
        ("四十五", "zh", 45),
        ("quarante-cinq", "fr", 45),
        ("cuarenta y cinco", "es", 45),
        ("kırk beş", "tr", 45),
        ("nelikümmend viis", "et", 45),
    ],
)
def test_ages_in_words_and_digits(text, language, age):
    assert understanding.age(text, language) == age


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("my employer took my passport", "en"),
        ("hän lyö minua", "fi"),
        ("я хочу покончити з собою", "uk"),
        ("زوجي يضربني", "ar"),
        ("I want to kill myself", "en"),
    ],
)
def test_danger_words_are_recognised(text, language):
    assert understanding.mentions_danger(text, language)


@pytest.mark.parametrize("text", ["I live in Espoo", "hei, olen 34", "thank you", "我住在赫尔辛基"])
def test_ordinary_messages_are_not_danger(text):
    assert not understanding.mentions_danger(text, "en")


def test_short_yes_no_words_count_only_in_their_own_language():
    # Swedish "ja" is "and" in Finnish.
    assert understanding.yes_no("ja", "sv") is True
    assert understanding.yes_no("minä ja lapset", "fi") is None


@pytest.mark.parametrize(
    "text, language, asked, years",
    [
        # Answering the question: one duration is the answer, fractions included.
        ("roughly two and a half years", "en", True, 2.5),
        ("noin puolitoista vuotta sitten", "fi", True, 1.5),
        ("for about 18 months", "en", True, 1.5),
        ("полтора года назад", "ru", True, 1.5),
        ("hace un año y medio", "es", True, 1.5),
        ("iki buçuk yıl önce", "tr", True, 2.5),
        ("两年前", "zh", True, 2.0),
        ("in 2023", "en", True, 3.0),
        # In passing: only an "ago" duration in a clause about the permit.
        ("my residence permit came 4 years ago and now I live in Oulu", "en", False, 4.0),
        ("sain oleskeluluvan kaksi vuotta sitten", "fi", False, 2.0),
        ("jag fick uppehållstillstånd för ett halvår sedan", "sv", False, 0.5),
        ("j'ai eu mon titre de séjour il y a 2 ans", "fr", False, 2.0),
        ("اخذت الاقامة قبل سنتين", "ar", False, 2.0),
        ("居留许可是三年前拿的", "zh", False, 3.0),
        ("sain oleskeluluvan vuonna 2020", "fi", False, 6.0),  # a calendar year with the permit
        # Not about the permit, or not a duration: nothing.
        ("I have been living in Finland for 6 years", "en", False, None),
        ("olen 34 vuotta vanha", "fi", False, None),
        ("my son is 3 years old", "en", False, None),
        ("the permit took 2 months and 3 years", "en", True, None),  # two answers: ask again
    ],
)
def test_years_since_the_first_permit(text, language, asked, years):
    found = understanding.years_since_first_permit(text, language, asked=asked, today=2026)
    assert found == years


def test_years_in_passing_reach_the_facts_of_a_message():
    heard = understanding.understand("I'm 41, my first permit was 2 years ago", "en")
    assert heard.age == 41 and heard.years_since_first_permit == 2.0
    assert heard.slots()["years_since_first_permit"] == 2.0


@pytest.mark.parametrize(
    "text, language, age",
    [
        ("I'm 36 and my daughters are 4 and 9", "en", 36),
        ("jag är 52, min fru är 49", "sv", 52),
        ("mä oon 27 ja poika on 3v", "fi", 27),
        ("у меня дети 5 и 8 лет, мне 33", "ru", 33),
        ("oğlum 7 yaşında, ben 30 yaşındayım", "tr", 30),
        ("عمري ٤٢ وبنتي ٦", "ar", 42),  # "and" joined to the next word: "and my daughter 6"
        ("女儿九岁，儿子四岁，我自己三十六", "zh", 36),
        ("我丈夫五十岁", "zh", None),
        ("my husband is 50", "en", None),
    ],
)
def test_the_own_age_among_relatives_ages(text, language, age):
    assert understanding.age(text, language) == age


@pytest.mark.parametrize(
    "text, language",
    [
        ("my husband threatens me and I am afraid to go home", "en"),
        ("mieheni lyö minua", "fi"),
    ],
)
def test_a_danger_message_gives_no_guessed_permit_or_work(text, language):
    heard = understanding.understand(text, language)
    assert understanding.mentions_danger(text, language)
    assert heard.permit_type is None and heard.employment_status is None and not heard.optional


@pytest.mark.parametrize(
    "text, language",
    [("opiskelijan oleskelulupa", "fi"), ("我是学生签证", "zh"), ("تصريح عمل", "ar")],
)
def test_a_study_or_work_word_inside_a_permits_name_is_no_work_situation(text, language):
    assert understanding.understand(text, language).employment_status is None


def test_another_phrase_beside_a_permits_name_still_says_the_work_situation():
    text = "ruqsad shaqo ayaan haystaa, makhaayad ayaan ka shaqeeyaa, Turku ayaan ku noolahay"
    heard = understanding.understand(text, "so")
    assert heard.employment_status == "employed"


def test_a_word_the_model_says_is_about_something_else_is_no_fact():
    # "student" is in the lexicon, but here it names the kind of permit, not a work situation.
    heard = understanding.understand("I have a student residence permit from Migri", "en")
    assert heard.permit_type == "study"
    assert heard.employment_status is None


@pytest.mark.parametrize(
    "text, language, status",
    [
        ("no job right now and I have never registered at the TE office", "en", "not_working"),
        ("olen työtön, mutta en ole ilmoittautunut työnhakijaksi", "fi", "not_working"),
        ("jag är arbetslös men har inte registrerat mig på TE-byrån", "sv", "not_working"),
        ("я без работы, но не регистрировался в TE-toimisto", "ru", "not_working"),
        ("estoy en paro pero nunca me inscribí en la oficina de empleo", "es", "not_working"),
        ("işsizim ama TE toimisto kayıtlı değilim", "tr", "not_working"),
        ("unemployed and registered with the employment services", "en", "jobseeker"),
    ],
)
def test_a_denied_registration_is_not_a_jobseeker(text, language, status):
    assert understanding.understand(text, language).employment_status == status


@pytest.mark.parametrize(
    "text, language",
    [
        ("my daughter has a student permit and lives in Turku", "en"),
        ("tyttäreni opiskelee Turussa", "fi"),
        ("min bror har arbetstillstånd och bor i Vasa", "sv"),
        ("сын работает водителем в Тампере", "ru"),
        ("is there a reception centre in Joensuu?", "en"),
        # questions with no question mark
        ("how cold does it get in Rovaniemi in january", "en"),
        ("paljonko rovaniemella on pakkasta tammikuussa", "fi"),
        ("qué tiempo hace en Rovaniemi en enero", "es"),
        ("Rovaniemi'de ocakta hava nasıl", "tr"),
        ("هوای روانیمی تو ژانویه چطوره", "fa"),
        ("罗瓦涅米一月份多冷", "zh"),
        ("how do i apply for kotihoidon tuki", "en"),
        # a relative as the owner ("my brother has"), and a Swedish question with no mark
        ("veljellä on työlupa ja se asuu turussa", "fi"),
        ("vennal on tööluba ja ta elab Turus", "et"),
        ("får en asylsökande jobba", "sv"),
    ],
)
def test_someone_elses_facts_and_questions_are_not_the_persons(text, language):
    heard = understanding.understand(text, language)
    assert heard.slots() == {}


def test_own_clauses_are_read_beside_a_relatives():
    heard = understanding.understand("I live in Kuopio, my husband has a work permit in Varkaus", "en")
    assert heard.municipality == "Kuopio"
    assert heard.permit_type is None


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("asun Oulussa ja poikani on opiskelija", "fi", {"municipality": "Oulu"}),
        ("I live in Vantaa and my wife works as a nurse", "en", {"municipality": "Vantaa"}),
        ("я живу в Тампере, а муж работает водителем", "ru", {"municipality": "Tampere"}),
    ],
)
def test_a_relatives_clause_after_and_is_theirs(text, language, expected):
    assert understanding.understand(text, language).slots() == expected


@pytest.mark.parametrize(
    "text, language, municipality",
    [
        ("my husband who is a refugee and I live in Espoo", "en", "Espoo"),
        ("asun Espoossa, mieheni joka on pakolainen on töissä", "fi", "Espoo"),
        ("bor i Vasa med min man som har flyktingstatus", "sv", "Vaasa"),
    ],
)
def test_a_relative_clause_describes_the_relative_not_the_writer(text, language, municipality):
    heard = understanding.understand(text, language)
    assert heard.municipality == municipality
    assert heard.permit_type != "international_protection", "the husband's status, not the writer's"
    assert heard.employment_status is None, "nothing said of the writer's work"


def test_the_parts_of_a_clause_with_a_relative_pronoun():
    parts = understanding._at_relatives("با شوهرم که پناهنده است اومدم", "fa")
    assert [understanding._about_others(p, "fa") for p in parts] == [False, True]
    assert understanding._at_relatives("the town that I live in is Espoo", "en") == [
        "the town that I live in is Espoo"
    ], "a relative pronoun after no relative cuts nothing"


def test_a_question_beside_a_statement_keeps_the_statement_only():
    heard = understanding.understand("I live in Espoo, how do I apply for kotihoidon tuki", "en")
    assert heard.slots() == {"municipality": "Espoo"}


@pytest.mark.parametrize(
    "text, language",
    [
        ("vine por reagrupación familiar con mi marido, estoy en casa con los niños en Kuopio", "es"),
        ("Приїхала до чоловіка за возз'єднанням сім'ї, живемо в Еспоо", "uk"),
    ],
)
def test_the_family_tie_to_a_refugee_needs_a_protection_status_named(text, language):
    heard = understanding.understand(text, language)
    assert heard.permit_type == "family"
    assert "family_of_protection_beneficiary" not in heard.optional


def test_the_family_tie_is_read_where_the_refugee_is_named():
    heard = understanding.understand("I came here on a family permit, my husband is a refugee", "en")
    assert heard.permit_type == "family"
    assert heard.optional.get("family_of_protection_beneficiary") is True


@pytest.mark.parametrize(
    "text, language",
    [
        ("我15岁一个人来的芬兰，没有父母陪同", "zh"),
        ("llegué solo a Finlandia con 16 años, sin mis padres", "es"),
        ("kom ensam till Finland som 16-åring", "sv"),
        ("olen Soomes 4 aastat, esimene elamisluba tuli 2022", "et"),
    ],
)
def test_the_age_on_arrival_is_not_todays_age(text, language):
    assert understanding.understand(text, language).age is None


def test_a_somali_ii_is_no_municipality():
    text = "shaqo bixiyahaygii ayaa baasaboorkeyga qaatay wuuna diiday inuu ii celiyo"
    assert understanding.understand(text, "so").municipality is None


def test_a_finnish_negative_verb_before_work_is_not_working():
    text = "Minulla on toissijainen suojelu, olen 45-vuotias enkä tällä hetkellä käy töissä"
    assert understanding.understand(text, "fi").employment_status == "not_working"


@pytest.mark.parametrize(
    "text, language, status",
    [
        # what the person does, beside what they deny being
        ("ma ei tööta, olen lastega kodus", "et", "home_parent"),
        ("ma ei ole töötu, töötan osalise ajaga poes", "et", "employed"),
        ("jag jobbar deltid i en butik, är inte arbetslös", "sv", "employed"),
        # Swedish puts the negation after the verb
        ("ja bor i helsingfors o jobbar int", "sv", "not_working"),
        ("en ole ilmoittautunut työttömäksi työnhakijaksi", "fi", "not_working"),
    ],
)
def test_a_denial_beside_what_the_person_does(text, language, status):
    assert understanding.understand(text, language).employment_status == status


@pytest.mark.parametrize(
    "text, expected",
    [
        # a clause with no subject goes on about the person before it (the son lives in Oulu)
        ("我儿子拿到了工作签证，现在住在奥卢", {}),
        # ...one that names the writer starts anew
        ("我儿子在赫尔辛基上大学，我住在拉赫蒂", {"municipality": "Lahti"}),
        (
            "老公是芬兰人，我是家庭居留，现在在家带娃，住oulu",
            {"permit_type": "family", "employment_status": "home_parent", "municipality": "Oulu"},
        ),
    ],
)
def test_a_chinese_clause_without_a_subject_is_about_the_person_before(text, expected):
    assert understanding.understand(text, "zh").slots() == expected


@pytest.mark.parametrize(
    "text", ["我们从六月开始就一直领Kela的toimeentulotuki", "我有三个孩子，每个月去两次TE", "明天10点去Kela"]
)
def test_a_chinese_month_count_or_time_is_no_age(text):
    assert understanding.age(text, "zh") is None


def test_a_relatives_clause_before_and_i_is_theirs():
    """Persian: "my husband has refugee status and I came through family reunification":
    the status is his (and names the tie to a refugee), the family permit hers."""
    heard = understanding.understand("شوهرم پناهندگی داره و من از طریق الحاق خانواده اومدم", "fa")
    assert heard.permit_type == "family"
    assert heard.optional.get("family_of_protection_beneficiary") is True


def test_a_persian_first_person_verb_keeps_a_clause_that_starts_with_a_relative():
    text = "شوهرم فنلاندیه و با اقامت خانوادگی اینجام"
    assert understanding.understand(text, "fa").permit_type == "family"


@pytest.mark.parametrize(
    "text, language",
    [("不上班，在家带两个娃", "zh"), ("کار نمیکنم، خونه با بچه‌ها هستم", "fa")],
)
def test_no_job_at_home_with_the_children_is_a_home_parent(text, language):
    assert understanding.understand(text, language).employment_status == "home_parent"


@pytest.mark.parametrize(
    "text, age",
    [("۴۵ سالمه، ۸ ساله تو فنلاندم", 45), ("اقامت دائم دارم، ۱۰ ساله اینجام", None)],
)
def test_persian_years_here_are_no_age(text, age):
    assert understanding.age(text, "fa") == age


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("شوهرم اقامت کاری داره و من خونه‌دارم", "fa", {"employment_status": "home_parent"}),
        ("my wife works in Espoo and I live in Vantaa", "en", {"municipality": "Vantaa"}),
    ],
)
def test_and_before_the_writers_own_word_leaves_the_relatives_clause_to_them(text, language, expected):
    assert understanding.understand(text, language).slots() == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # the same messages typed with and without the zero-width non-joiner
        ("بی‌مدرک هستم و سیاه کار میکنم", {"permit_type": "undocumented", "employment_status": "employed"}),
        ("بیمدرک هستم و سیاه کار میکنم", {"permit_type": "undocumented", "employment_status": "employed"}),
        ("شوهرم کار میکنه ولی من خونه‌ام با بچه‌ها", {"employment_status": "home_parent"}),
        ("شوهرم کار میکنه ولی من خونهام با بچهها", {"employment_status": "home_parent"}),
    ],
)
def test_persian_is_read_with_or_without_the_zero_width_non_joiner(text, expected):
    assert understanding.understand(text, "fa").slots() == expected


@pytest.mark.parametrize(
    "text, language, status",
    [
        ("我没有上班，在TE登记了在找工作", "zh", "jobseeker"),  # no job, registered: the model reads the "no"
        ("بیکار هستم و تو te-toimisto ثبت نام نکردم", "fa", "not_working"),  # the negated verb comes last
    ],
)
def test_registration_said_or_denied_decides_between_jobseeker_and_not_working(text, language, status):
    assert understanding.understand(text, language).employment_status == status


def test_the_size_of_a_chinese_family_is_no_age():
    assert understanding.age("我们家四口人，我老公45，我43", "zh") == 43


@pytest.mark.parametrize(
    "text, language",
    [
        ("تو دانشگاه هلسینکی دانشجوام", "fa"),
        ("أنا طالب في الجامعة", "ar"),
        ("تو ammattikoulu درس میخونم", "fa"),
    ],
)
def test_saying_one_studies_names_no_study_permit(text, language):
    heard = understanding.understand(text, language)
    assert heard.employment_status == "student"
    assert heard.permit_type is None


def test_a_study_permit_named_is_still_read():
    assert understanding.understand("اقامت تحصیلی دارم و ارشد میخونم", "fa").permit_type == "study"


def test_an_answer_about_a_relative_states_the_relatives_status_not_the_writers():
    asked = "family_of_protection_beneficiary"
    heard = understanding.understand("yes, my husband is a refugee", "en", asked=asked)
    assert heard.answer == "yes"
    assert heard.permit_type is None
    assert heard.optional == {"family_of_protection_beneficiary": True}


@pytest.mark.parametrize(
    "text, language",
    [
        ("我太太在赫尔辛基上班", "zh"),
        ("我爱人是难民，住在坦佩雷", "zh"),
        ("我兒子今年20歲，在讀大學", "zh"),  # "今年" (this year) is the son's here
        ("我父亲已经退休了", "zh"),
        ("نامزدم تو اسپو زندگی میکنه", "fa"),
        ("فرزندم تو اولو درس میخونه", "fa"),
    ],
)
def test_spouses_and_relatives_as_people_name_them_are_not_the_writer(text, language):
    assert understanding.understand(text, language).slots() == {}


@pytest.mark.parametrize(
    "text, language",
    [
        ("my boss keeps my passport and says I owe him money", "en"),
        ("työnantaja ei maksa palkkaa ja uhkailee minua", "fi"),
    ],
)
def test_a_message_about_danger_states_no_work_situation(text, language):
    assert understanding.mentions_danger(text, language)
    assert understanding.understand(text, language).employment_status is None


@pytest.mark.parametrize(
    "text, language",
    [
        ("fick uppehållstillstånd på grund av familjeband, min fru som har flyktingstatus bor här", "sv"),
        ("oloaikaa sain perhesiteen perusteella, vaimoni joka on pakolainen asuu Oulussa", "fi"),
        ("我是家庭团聚来的，我老公有难民身份", "zh"),
    ],
)
def test_the_family_tie_is_read_from_the_relatives_clause_when_the_model_is_unsure(text, language):
    heard = understanding.understand(text, language)
    assert heard.permit_type == "family"
    assert heard.optional.get("family_of_protection_beneficiary") is True


@pytest.mark.parametrize(
    "text, language, fact, expected",
    [
        ("هنوز کوتیکونتا ندارم ولی تو اسپو زندگی میکنم", "fa", "has_municipality_of_residence", False),
        ("عندي كوتيكونتا بفانتا", "ar", "has_municipality_of_residence", True),
        ("waxaan qaataa kotihoidon tuki, gabadhayda ayaan la joogaa", "so", "home_care_allowance", True),
        ("ما بحصل على تويمينتولوتوكي", "ar", "social_assistance_over_2_months", False),
        ("I don't have a kotikunta yet", "en", "has_municipality_of_residence", False),
    ],
)
def test_a_terms_clause_says_yes_or_no_with_words_of_having(text, language, fact, expected):
    assert understanding.understand(text, language).optional.get(fact) is expected


def test_words_of_having_say_nothing_without_a_term_or_in_a_question():
    assert understanding.understand("ندارم", "fa").optional == {}
    # getting it says nothing of "over two months" (the model may still read the message)
    got = understanding.Utterance("waxaan qaataa toimeentulotuki", "so")
    assert understanding._having(got, "social_assistance_over_2_months") is None
    assert understanding._having(got, "home_care_allowance") is None  # another fact's word
    assert understanding.understand("I have two children and live in Oulu", "en").optional == {}
    asked = understanding.understand("do I have a kotikunta if I live in Espoo?", "en")
    assert "has_municipality_of_residence" not in asked.optional


def test_the_family_tie_is_a_no_only_as_an_answer_or_beside_the_relatives_other_permit():
    text = "I married a Finnish man and have a residence permit on family grounds"
    assert "family_of_protection_beneficiary" not in understanding.understand(text, "en").optional
    beside = understanding.understand("I have a family based permit, my wife is here on a work permit", "en")
    assert beside.optional.get("family_of_protection_beneficiary") is False
    answered = understanding.understand("no", "en", asked="family_of_protection_beneficiary")
    assert answered.optional == {"family_of_protection_beneficiary": False}


def test_a_number_word_that_is_also_no_counts_only_inside_a_number():
    assert understanding.numbers_in("بیست و نه", "fa") == [29]
    assert understanding.numbers_in("نه، ممنون", "fa") == []


@pytest.mark.parametrize(
    "text, number",
    [
        ("二十五岁", 25),
        ("一百零五", 105),
        ("八千欧", 8000),
        ("两万", 20000),
        ("二零二二年", 2022),
        ("廿五", 25),
    ],
)
def test_chinese_numerals_with_their_units(text, number):
    assert understanding.numbers_in(text, "zh") == [number]


def test_a_sum_of_money_in_chinese_is_no_age():
    assert understanding.age("老板说我欠他八千欧", "zh") is None
    assert understanding.age("我得还那个带我来芬兰的人八千欧的债", "zh") is None


@pytest.mark.parametrize(
    "text, language, fact, value",
    [
        ("ma kotikunta c'est Espoo", "fr", "has_municipality_of_residence", True),
        ("我的kotikunta是于韦斯屈莱", "zh", "has_municipality_of_residence", True),
        ("I don't have a kotikunta yet", "en", "has_municipality_of_residence", False),
    ],
)
def test_naming_a_facts_official_word_makes_it_the_topic(text, language, fact, value):
    assert understanding.understand(text, language).optional.get(fact) is value


@pytest.mark.parametrize(
    "text, language",
    [
        ("we get kotihoidon tuki for the baby", "en"),
        ("saamme kotihoidon tukea vauvalle", "fi"),
        ("أريد التحدث مع موظف حقيقي", "ar"),  # "a real employee": the word is a work phrase
    ],
)
def test_an_allowance_or_a_request_for_a_person_implies_no_work_situation(text, language):
    assert understanding.understand(text, language).employment_status is None


def test_a_work_situation_stated_beside_an_allowance_counts():
    heard = understanding.understand("I stay at home with the kids and get kotihoidon tuki", "en")
    assert heard.employment_status == "home_parent"


@pytest.mark.parametrize("text", ["我住在万塔", "我在萬塔上班", "我在打零工"])
def test_chinese_units_alone_are_parts_of_words_not_numbers(text):
    """ "万塔" is Vantaa, "零工" odd jobs: no age 0 from them."""
    assert understanding.age(text, "zh") is None
    assert understanding.numbers_in(text, "zh") == []


def test_persian_years_in_finland_are_no_age():
    assert understanding.age("۶ ساله فنلاندم، سنم ۴۰ هست", "fa") == 40
    assert understanding.age("۳۰ ساله هستم", "fa") == 30


@pytest.mark.parametrize(
    "text, language",
    [
        ("работаю водителем на полставки", "ru"),
        ("I work as a driver", "en"),
        ("I study at the university", "en"),
    ],
)
def test_doing_a_job_or_studying_names_no_permit(text, language):
    assert understanding.understand(text, language).permit_type is None


def test_a_permit_named_beside_the_job_counts():
    assert understanding.understand("جيت على فنلندا بتصريح عمل، وهلق بشتغل بمطعم", "ar").permit_type == "work"
