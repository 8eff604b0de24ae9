import pytest

from newsmon.lang import LANGUAGES, MAX_CHARS, detect_language


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
    assert len(opening) > MAX_CHARS
    assert detect_language(opening + appendix) == "az"


def test_languages_lists_supported_codes():
    assert {"az", "en", "ru", "tr", "ka", "hy", "uk", "fa", "ar", "de", "fr"} == set(LANGUAGES)
