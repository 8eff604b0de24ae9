"""English edition (en.apa.az) of the replay: newest first, as in `/all-news`."""
from newsmon.replay.corpus import Story, quirks

STORIES = (
    Story(
        id=520921,
        category="energy",
        slug="socar-and-bp-sign-new-agreement-on-shafag-asiman-block",
        title="SOCAR and bp sign new agreement on Shafag-Asiman block",
        published="2026-04-08 12:40",
        paragraphs=(
            "The State Oil Company of Azerbaijan (SOCAR) and bp have signed an addendum to the production"
            " sharing agreement on the Shafag-Asiman offshore block in the Caspian Sea, APA reports.",
            "Under the document, the partners will drill a second appraisal well on the block in 2027."
            " The first well, completed in 2024, confirmed a significant gas-condensate accumulation.",
            "bp remains the operator of the project with a 50% interest, while SOCAR holds the remaining 50%.",
        ),
        tags=("SOCAR", "bp", "Shafag-Asiman"),
    ),
    Story(
        id=520920,
        category="foreign-policy",
        slug="azerbaijani-fm-meets-georgian-counterpart-in-tbilisi-photo",
        title="Azerbaijani FM meets Georgian counterpart in Tbilisi - PHOTO",
        published="2026-04-08 11:52",
        paragraphs=(
            "Azerbaijan's Foreign Minister Jeyhun Bayramov has met with Georgian Foreign Minister"
            " Maka Botchorishvili in Tbilisi, APA reports.",
            "The ministers discussed the state of the strategic partnership between the two countries and"
            " prospects for cooperation in transport, energy and transit.",
            "They stressed the importance of increasing cargo volumes along the Middle Corridor and making"
            " fuller use of the Baku-Tbilisi-Kars railway.",
            "Regional security issues and mutual support within international organizations were also on the"
            " agenda.",
        ),
        tags=("Jeyhun Bayramov", "Georgia"),
        image_alt="Jeyhun Bayramov, Maka Botchorishvili",
    ),
    Story(
        id=520918,
        category="economy",
        slug="azerbaijan-s-non-oil-exports-grow-by-9-in-first-quarter",
        title="Azerbaijan's non-oil exports grow by 9% in first quarter",
        published="2026-04-08 10:31",
        paragraphs=(
            "Azerbaijan's non-oil exports reached $893 million in January-March 2026, up 9% year on year,"
            " according to the Center for Analysis of Economic Reforms and Communication.",
            "Russia, Türkiye and Georgia were the top destinations. Exports of fruit and vegetables grew by"
            " 14%, while cotton yarn and aluminum shipments also increased.",
            "Gold exports, by contrast, fell by 21% compared with the same period last year.",
        ),
        tags=("non-oil exports",),
        quirks=quirks("lazy_image"),
    ),
    Story(
        id=520917,
        category="incident",
        slug="fire-breaks-out-at-shopping-center-in-baku-s-yasamal-district",
        title="Fire breaks out at shopping center in Baku's Yasamal district",
        published="2026-04-08 09:47",
        paragraphs=(
            "A fire broke out at a shopping center on Sharifzade Street in Baku's Yasamal district,"
            " the Ministry of Emergency Situations told APA.",
            "Fire brigades put out the blaze on the second floor, where clothing stores are located, before"
            " it could spread. About 120 people were evacuated from the building.",
            "No one was injured. The cause of the fire is being investigated.",
        ),
        tags=("fire", "Yasamal"),
        quirks=quirks("moved"),
    ),
    Story(
        id=520915,
        category="sports",
        slug="baku-to-host-european-weightlifting-championships-in-2027",
        title="Baku to host European Weightlifting Championships in 2027",
        published="2026-04-08 08:05",
        paragraphs=(
            "The European Weightlifting Federation has chosen Baku as the host of the 2027 European"
            " Championships, APA reports.",
            "The decision was made at the federation's congress in Tirana. The championships will be held at"
            " the Baku Sports Hall in April 2027.",
            "Azerbaijan last hosted the continental championships in 2013.",
        ),
        tags=("weightlifting",),
        quirks=quirks("no_image"),
    ),
    Story(
        id=520914,
        category="society",
        slug="new-metro-station-to-open-in-baku-s-khatai-district",
        title="New metro station to open in Baku's Khatai district",
        published="2026-04-07 23:18",
        paragraphs=(
            "Construction of station B-4 on the Purple Line of the Baku Metro is in its final stage,"
            " Baku Metro CJSC told APA.",
            "Finishing work is under way in the station's lobby, and the installation of escalators has been"
            " completed.",
            "The station is expected to open to passengers by the end of the year and will serve densely"
            " populated areas of the Khatai district.",
        ),
        tags=("Baku Metro",),
        quirks=quirks("listed_twice", "tracking_link"),
    ),
    Story(
        id=520912,
        category="asia",
        slug="kazakhstan-and-azerbaijan-discuss-expanding-middle-corridor-capacity",
        title="Kazakhstan and Azerbaijan discuss expanding Middle Corridor capacity",
        published="2026-04-07 21:54",
        paragraphs=(
            "The transport ministers of Azerbaijan and Kazakhstan met in Astana to discuss the Trans-Caspian"
            " International Transport Route, APA reports.",
            "The sides approved a joint action plan aimed at raising cargo volumes on the route to 10 million"
            " tons a year by 2027.",
            "The expansion of container terminals at the ports of Aktau and Alat was also discussed.",
        ),
        tags=("Middle Corridor", "Kazakhstan"),
        quirks=quirks("og_title_only"),
    ),
    Story(
        id=520910,
        category="domestic-policy",
        slug="milli-majlis-to-consider-amendments-to-law-on-media",
        title="Milli Majlis to consider amendments to Law on Media",
        published="2026-04-07 20:36",
        paragraphs=(
            "The agenda of the plenary session of the Milli Majlis to be held on April 10 has been announced.",
            "Fourteen items have been included, among them amendments to the Law on Media, which will be"
            " discussed in the second reading.",
            "MPs will also consider proposed changes to the Tax Code and the Law on Tourism in the first"
            " reading.",
        ),
        tags=("Milli Majlis",),
    ),
    Story(
        id=520909,
        category="europe",
        slug="eu-and-azerbaijan-hold-energy-dialogue-in-brussels",
        title="EU and Azerbaijan hold energy dialogue in Brussels",
        published="2026-04-07 19:12",
        paragraphs=(
            "The 12th meeting of the Azerbaijan-EU energy dialogue has been held in Brussels, APA reports.",
            "The parties reviewed the implementation of the memorandum of understanding on a strategic"
            " partnership in energy signed in 2022 and discussed green energy corridors.",
            "The Caspian-Black Sea-Europe green energy corridor project and the expansion of the Southern"
            " Gas Corridor were at the center of the discussions.",
        ),
        tags=("EU", "energy dialogue"),
        quirks=quirks("truncated"),
    ),
    Story(
        id=520907,
        category="economy",
        slug="central-bank-of-azerbaijan-keeps-refinancing-rate-unchanged",
        title="Central Bank of Azerbaijan keeps refinancing rate unchanged",
        published="2026-04-07 17:58",
        paragraphs=(
            "The Central Bank of Azerbaijan has decided to keep the refinancing rate at 7%.",
            "The lower limit of the interest rate corridor remained at 6% and the upper limit at 8%.",
            "According to the bank, annual inflation stood at 5.1% in March and remains within the target"
            " range. The next decision will be announced in May.",
        ),
        tags=("Central Bank", "refinancing rate"),
        quirks=quirks("no_canonical"),
    ),
    Story(
        id=520905,
        category="foreign-policy",
        slug="president-ilham-aliyev-receives-uzbek-foreign-minister",
        title="President Ilham Aliyev receives Uzbek Foreign Minister",
        published="2026-04-07 16:40",
        paragraphs=(
            "President of the Republic of Azerbaijan Ilham Aliyev has received a delegation led by"
            " Uzbekistan's Foreign Minister Bakhtiyor Saidov.",
            "The sides noted with satisfaction the successful development of allied relations between"
            " Azerbaijan and Uzbekistan.",
            "They discussed increasing trade turnover, industrial cooperation and joint projects in"
            " transport and logistics.",
        ),
        tags=("Ilham Aliyev", "Uzbekistan"),
        byline="Nigar Abdullayeva",
        quirks=quirks("foreign_canonical"),
    ),
    Story(
        id=520904,
        category="incident",
        slug="magnitude-4-8-earthquake-jolts-turkiye-s-malatya",
        title="Magnitude 4.8 earthquake jolts Türkiye's Malatya",
        published="2026-04-07 15:22",
        paragraphs=(
            "A magnitude 4.8 earthquake has struck Türkiye's Malatya province, according to the Disaster and"
            " Emergency Management Authority (AFAD).",
            "The epicenter was in the Yesilyurt district, at a depth of 7 kilometers. The tremors were also"
            " felt in neighboring Adiyaman and Elazig.",
            "No damage or injuries have been reported so far.",
        ),
        tags=("earthquake", "Türkiye"),
        quirks=quirks("relative_image"),
    ),
    # The sample article of `scrapy check apa` (ApaSpider.parse_article's contract): keep it stored as is.
    Story(
        id=520902,
        category="asia",
        slug="flydubai-resumes-flights-from-baku-to-dubai",
        title="Flydubai resumes flights from Baku to Dubai",
        published="2026-04-07 13:05",
        paragraphs=(
            "Flydubai has resumed daily flights between Baku and Dubai, the airline told APA.",
            "Flights will depart from Heydar Aliyev International Airport at 02:35 and arrive at Dubai"
            " International Airport's Terminal 2 at 05:20 local time.",
            "The airline suspended the route in February due to the renovation of the runway at Dubai"
            " International. Tickets are available on the carrier's website and through travel agencies.",
        ),
        tags=("flydubai", "aviation"),
        quirks=quirks("lazy_image"),
    ),
    Story(
        id=520901,
        category="sports",
        slug="qarabag-advance-to-conference-league-quarter-finals",
        title="Qarabag advance to Conference League quarter-finals",
        published="2026-04-07 11:40",
        paragraphs=(
            "Qarabag FC have reached the quarter-finals of the UEFA Conference League.",
            "The Aghdam club beat Dutch side Twente 2-0 in the second leg in Baku, with goals from Yassine"
            " Benzia and Abdellah Zoubir.",
            "The first leg had ended in a 1-1 draw. Gurban Gurbanov's team will face Spain's Real Betis in"
            " the quarter-finals.",
        ),
        tags=("Qarabag", "Conference League"),
        signature="Rashad Mammadov",
    ),
    Story(
        id=520899,
        category="energy",
        slug="azerbaijan-exports-3-2-bcm-of-gas-to-europe-via-tap-in-q1",
        title="Azerbaijan exports 3.2 bcm of gas to Europe via TAP in Q1",
        published="2026-04-07 10:15",
        paragraphs=(
            "Azerbaijan exported 3.2 billion cubic meters of natural gas to Europe via the Trans Adriatic"
            " Pipeline (TAP) in the first quarter of 2026, APA reports.",
            "That is 4% more than in the same period last year. Italy received 2.6 bcm, with the rest going"
            " to Greece and Bulgaria.",
            "Work continues on expanding TAP's annual capacity by 1.2 bcm from the current 10 bcm.",
        ),
        tags=("TAP", "gas exports"),
        quirks=quirks("sloppy_markup"),
    ),
    Story(
        id=520898,
        category="society",
        slug="windy-weather-expected-in-baku-tomorrow",
        title="Windy weather expected in Baku tomorrow",
        published="2026-04-07 08:20",
        paragraphs=(
            "Variable cloudiness and mainly dry weather are expected in Baku and on the Absheron peninsula"
            " on April 8, according to the Ministry of Ecology and Natural Resources.",
            "A northwesterly wind will blow, strengthening in the evening.",
            "Temperatures will be 8-11 degrees Celsius at night and 15-18 degrees in the daytime.",
        ),
        tags=("weather",),
        quirks=quirks("old_layout"),
    ),
)
