import pytest

from newsmon.lang import LANGUAGES, SAMPLE_LETTERS, detect_language, language_sample


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Azerbaijani, including sentences without ə, which are the ones mistaken for Turkish.
        ("Prezident İlham Əliyev Bakıda ABŞ dövlət katibi ilə telefon danışığı aparıb.", "az"),
        ("Daxili İşlər Nazirliyi bildirib ki, sürücü saxlanılıb.", "az"),
        ("Bakı-Sumqayıt yolunda qaz borusu partlayıb, yol bağlanıb.", "az"),
        ("Bakıda hava yağmursuz olacaq.", "az"),
        ("Milli Qvardiyanın komandiri Bakıda olub.", "az"),
        ("Bakida qar yagib, yollar buz baglayib.", "az"),  # ASCII-only transliteration
        ("Nazirlikden bildirilib ki, qaz verilisi berpa olunub.", "az"),
        # Turkish must stay Turkish.
        ("Cumhurbaşkanı Erdoğan, Ankara'da düzenlenen törende konuştu.", "tr"),
        ("İstanbul'da yarın kar yağışı bekleniyor, vatandaşların dikkatli olması gerekiyor.", "tr"),
        ("Dışişleri Bakanlığı açıklama yaptı.", "tr"),
        ("The President of Azerbaijan held a phone call with the U.S. Secretary of State.", "en"),
        ("Президент Азербайджана Ильхам Алиев провел телефонный разговор с госсекретарем США.", "ru"),
        ("Президент України провів телефонну розмову з державним секретарем США.", "uk"),
        ("საქართველოს პრემიერ-მინისტრმა ბაქოში ვიზიტი განახორციელა.", "ka"),
        ("Հայաստանի վարչապետը այսօր հանդիպում է ունեցել Ադրբեջանի արտգործնախարարի հետ:", "hy"),
        ("رئیس جمهور ایران امروز با وزیر امور خارجه آذربایجان دیدار کرد.", "fa"),
        ("التقى الرئيس الأذربيجاني اليوم بوزير الخارجية الأمريكي في باكو.", "ar"),
        ("Der aserbaidschanische Präsident hat heute mit dem US-Außenminister telefoniert.", "de"),
        ("Le président azerbaïdjanais s'est entretenu au téléphone avec le secrétaire d'État.", "fr"),
    ],
)
def test_detect_language(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("text", "default"),
    [
        ("", ""),
        ("", "und"),
        ("   ", "und"),
        ("Bakı", "und"),
        ("12:04 28.04.2024 — 1 2 3", "und"),
    ],
)
def test_too_short_or_undetectable_text_gives_default(text, default):
    assert detect_language(text, default=default) == default


def test_long_text_is_detected_from_its_opening():
    opening = "Ölkə başçısı yeni hərbi texnika verilməsi mərasimində iştirak edib. " * 40
    appendix = "The full English translation of the statement follows below. " * 200
    assert len(opening) > 2 * SAMPLE_LETTERS
    assert detect_language(opening + appendix) == "az"


@pytest.mark.parametrize(
    ("text", "sample"),
    [
        ("", ""),
        ("12:04 — 1 2 3", ""),
        ("2024: Bakı, 28 aprel", "2024: Bakı, 28 aprel"),  # short: all of it, to its last letter
        ("«Qarabağ» – «Neftçi»: 2:1.", "«Qarabağ» – «Neftçi"),
    ],
)
def test_language_sample_of_short_text(text, sample):
    assert language_sample(text) == sample


def test_language_sample_of_long_text_ends_with_the_word_of_its_last_letter():
    text = "Prezident İlham Əliyev 28 aprel 2024-cü ildə Bakıda ABŞ dövlət katibi ilə danışıb. " * 5
    sample = language_sample(text)
    assert text.startswith(sample) and text[len(sample)] in " ."
    # Enough letters for lingua to decide by trigrams alone (from 120 on), and not many more.
    assert SAMPLE_LETTERS <= sum(char.isalpha() for char in sample) < SAMPLE_LETTERS + 12


def test_languages_lists_supported_codes():
    assert {"az", "en", "ru", "tr", "ka", "hy", "uk", "fa", "ar", "de", "fr"} == set(LANGUAGES)
