"""Azerbaijani edition (apa.az) of the replay: newest first, as in `/all-news`."""
from newsmon.replay.corpus import Story, quirks

STORIES = (
    Story(
        id=954031,
        category="incident",
        slug="bakida-iki-avtomobil-toqqusub-xesaret-alan-var",
        title="Bakıda iki avtomobil toqquşub, xəsarət alan var",
        published="2026-04-08 12:04",
        paragraphs=(
            "Bakının Nizami rayonunda iki minik avtomobili toqquşub, hadisə nəticəsində iki nəfər xəsarət alıb.",
            "APA-nın məlumatına görə, qəza Qara Qarayev prospektində, səhər saatlarında baş verib."
            " \"Toyota Prius\" markalı avtomobil svetoforun qırmızı işığına məhəl qoymayaraq"
            " \"Hyundai Accent\" ilə toqquşub.",
            "Xəsarət alanlar 1 saylı Klinik Xəstəxanaya çatdırılıb, onların vəziyyəti stabil qiymətləndirilir."
            " Faktla bağlı Nizami Rayon Polis İdarəsində araşdırma aparılır.",
        ),
        tags=("yol qəzası", "Nizami rayonu"),
        quirks=quirks("lazy_image"),
    ),
    Story(
        id=954030,
        category="incident",
        slug="gencede-narkotik-vasitelerle-saxlanilib",
        title="Gəncədə külli miqdarda narkotik vasitə ilə saxlanılıb",
        published="2026-04-08 11:37",
        paragraphs=("Bu xəbər saytdan silinib.",),
        quirks=quirks("gone"),
    ),
    # The sample article of `scrapy check apa` (ApaSpider.parse_article's contract): keep it stored as is.
    Story(
        id=954028,
        category="foreign-policy",
        slug="ceyhun-bayramov-gurcustan-xin-bascisi-ile-gorusub-foto",
        title="Ceyhun Bayramov Gürcüstan XİN başçısı ilə görüşüb - FOTO",
        published="2026-04-08 10:52",
        paragraphs=(
            "Azərbaycanın xarici işlər naziri Ceyhun Bayramov Tbilisidə səfərdə olan Gürcüstanın xarici işlər"
            " naziri Maka Boçorişvili ilə görüşüb.",
            "APA-nın məlumatına görə, görüşdə iki ölkə arasında strateji tərəfdaşlığın mövcud vəziyyəti,"
            " nəqliyyat, enerji və tranzit sahələrində əməkdaşlığın perspektivləri müzakirə edilib.",
            "Nazirlər Orta Dəhliz çərçivəsində yükdaşımaların artırılması və Bakı-Tbilisi-Qars dəmir yolunun"
            " imkanlarından daha səmərəli istifadənin vacibliyini vurğulayıblar.",
            "Görüşdə regional təhlükəsizlik məsələləri, həmçinin beynəlxalq təşkilatlar çərçivəsində"
            " qarşılıqlı dəstək barədə də fikir mübadiləsi aparılıb.",
        ),
        tags=("Ceyhun Bayramov", "Gürcüstan"),
        image_alt="Ceyhun Bayramov, Maka Boçorişvili",
    ),
    Story(
        id=954027,
        category="sports",
        slug="qarabag-avropa-konfrans-liqasinda-novbeti-merheleye-yukselib",
        title="\"Qarabağ\" Avropa Konfrans Liqasında növbəti mərhələyə yüksəlib",
        published="2026-04-08 09:15",
        paragraphs=(
            "\"Qarabağ\" futbol klubu UEFA Avropa Konfrans Liqasının 1/4 finalına vəsiqə qazanıb.",
            "Ağdam klubu cavab oyununda Bakıda Niderlandın \"Tvente\" komandasını 2:0 hesabı ilə məğlub edib."
            " Qolları Yassin Benzia və Abdellah Zoubir vurublar.",
            "İlk oyunda komandalar 1:1 hesabı ilə heç-heçə etmişdilər. Qurban Qurbanovun yetirmələri"
            " 1/4 finalda İspaniyanın \"Betis\" klubu ilə qarşılaşacaq.",
        ),
        tags=("Qarabağ", "Konfrans Liqası"),
        signature="Elvin Quliyev",
    ),
    Story(
        id=954025,
        category="social",
        slug="sabah-bakida-kulekli-hava-gozlenilir",
        title="Sabah Bakıda küləkli hava gözlənilir",
        published="2026-04-08 08:30",
        paragraphs=(
            "Aprelin 9-da Bakıda və Abşeron yarımadasında havanın dəyişkən buludlu olacağı, əsasən yağmursuz"
            " keçəcəyi gözlənilir.",
            "Ekologiya və Təbii Sərvətlər Nazirliyinin məlumatına görə, şimal-qərb küləyi əsəcək, axşam"
            " saatlarında küləyin güclənəcəyi ehtimalı var.",
            "Gecə havanın temperaturu 8-11, gündüz 15-18 dərəcə isti olacaq. Atmosfer təzyiqi normadan"
            " yüksək olacaq.",
        ),
        tags=("hava proqnozu",),
        quirks=quirks("no_image"),
    ),
    Story(
        id=954024,
        category="culture-policy",
        slug="susada-xaribulbul-festivali-kecirilecek",
        title="Şuşada \"Xarıbülbül\" festivalı keçiriləcək",
        published="2026-04-07 22:10",
        paragraphs=(
            "May ayında Şuşa şəhərində \"Xarıbülbül\" Beynəlxalq Musiqi Festivalı keçiriləcək.",
            "Mədəniyyət Nazirliyindən APA-ya verilən məlumata görə, festivalda Azərbaycanla yanaşı 12 ölkədən"
            " musiqi kollektivləri çıxış edəcək.",
            "Tədbir çərçivəsində Cıdır düzündə açıq səma altında konsertlər, həmçinin muğam ustalarının"
            " ustad dərsləri təşkil olunacaq.",
        ),
        tags=("Şuşa", "Xarıbülbül"),
        quirks=quirks("listed_twice"),
    ),
    Story(
        id=954022,
        category="domestic-policy",
        slug="milli-meclisin-novbeti-iclasinin-gundeliyi-aciqlanib",
        title="Milli Məclisin növbəti iclasının gündəliyi açıqlanıb",
        published="2026-04-07 21:45",
        paragraphs=(
            "Milli Məclisin aprelin 10-da keçiriləcək plenar iclasının gündəliyi açıqlanıb.",
            "APA-nın məlumatına görə, gündəliyə 14 məsələ daxil edilib. Onların arasında \"Media haqqında\""
            " qanuna dəyişikliklər ikinci oxunuşda müzakirəyə çıxarılacaq.",
            "Bundan başqa, deputatlar Vergi Məcəlləsinə və \"Turizm haqqında\" qanuna təklif olunan"
            " dəyişiklikləri birinci oxunuşda nəzərdən keçirəcəklər.",
        ),
        tags=("Milli Məclis",),
        quirks=quirks("old_layout"),
    ),
    Story(
        id=954021,
        category="incident",
        slug="sumqayitda-yasayis-binasinda-yangin-sondurulub",
        title="Sumqayıtda yaşayış binasında yanğın söndürülüb",
        published="2026-04-07 20:02",
        paragraphs=(
            "Sumqayıt şəhərində doqquzmərtəbəli yaşayış binasının mənzillərindən birində yanğın baş verib.",
            "Fövqəladə Hallar Nazirliyindən APA-ya bildirilib ki, məlumat daxil olan kimi hadisə yerinə"
            " yanğınsöndürmə bölmələri cəlb edilib.",
            "Yanğın qonşu mənzillərə keçməyə imkan verilmədən söndürülüb. Binadan 15 nəfər təxliyə olunub,"
            " xəsarət alan olmayıb.",
        ),
        tags=("yanğın", "Sumqayıt"),
        quirks=quirks("flaky"),
    ),
    Story(
        id=954019,
        category="economy",
        slug="merkezi-bank-ucot-derecesini-deyismez-saxlayib",
        title="Mərkəzi Bank uçot dərəcəsini dəyişməz saxlayıb",
        published="2026-04-07 18:40",
        paragraphs=(
            "Azərbaycan Mərkəzi Bankı uçot dərəcəsini 7 faizdə saxlamaq barədə qərar qəbul edib.",
            "Faiz dəhlizinin aşağı həddi 6 faiz, yuxarı həddi isə 8 faiz səviyyəsində dəyişməz qalıb.",
            "Bankın açıqlamasında bildirilir ki, illik inflyasiya martda 5,1 faiz təşkil edib və"
            " hədəf diapazonunda qalmaqdadır. Növbəti qərar may ayında açıqlanacaq.",
        ),
        tags=("Mərkəzi Bank", "uçot dərəcəsi"),
        quirks=quirks("sloppy_markup"),
    ),
    Story(
        id=954018,
        category="world",
        slug="turkiyede-4-8-bal-gucunde-zelzele-olub",
        title="Türkiyədə 4,8 bal gücündə zəlzələ olub",
        published="2026-04-07 17:44",
        paragraphs=(
            "Türkiyənin Malatya vilayətində 4,8 bal gücündə zəlzələ qeydə alınıb.",
            "Fəlakət və Fövqəladə Hallar İdarəsinin (AFAD) məlumatına görə, yeraltı təkanların episentri"
            " Yeşilyurt rayonu olub, ocaq 7 kilometr dərinlikdə yerləşib.",
            "Zəlzələ qonşu Adıyaman və Elazığ vilayətlərində də hiss olunub. İlkin məlumata görə,"
            " dağıntı və xəsarət alan yoxdur.",
        ),
        tags=("zəlzələ", "Türkiyə"),
    ),
    Story(
        id=954017,
        category="energy",
        slug="tap-ile-avropaya-3-2-milyard-kubmetr-qaz-neql-edilib",
        title="TAP ilə Avropaya 3,2 milyard kubmetr qaz nəql edilib",
        published="2026-04-07 16:20",
        paragraphs=(
            "Bu ilin birinci rübündə Trans-Adriatik boru kəməri (TAP) ilə Avropaya 3,2 milyard kubmetr"
            " Azərbaycan qazı nəql edilib.",
            "APA-nın məlumatına görə, bu, ötən ilin eyni dövrü ilə müqayisədə 4 faiz çoxdur. Qazın"
            " 2,6 milyard kubmetri İtaliyaya, qalan hissəsi Yunanıstan və Bolqarıstana çatdırılıb.",
            "TAP-ın illik ötürmə qabiliyyətinin 10 milyard kubmetrdən 1,2 milyard kubmetr artırılması"
            " üzrə işlər davam edir.",
        ),
        tags=("TAP", "qaz ixracı"),
        quirks=quirks("relative_image"),
    ),
    Story(
        id=954016,
        category="economy",
        slug="azerbaycan-neftinin-qiymeti-68-dollari-otub",
        title="Azərbaycan neftinin qiyməti 68 dolları ötüb",
        published="2026-04-07 15:05",
        paragraphs=(
            "Dünya bazarlarında Azərbaycan neftinin qiyməti bahalaşıb.",
            "APA-nın məlumatına görə, Ceyhan limanında \"Azeri Light\" markalı neftin bir barelinin qiyməti"
            " 1,12 dollar və ya 1,7 faiz artaraq 68,34 dollar təşkil edib.",
            "\"URALS\" markalı neftin bir barelinin qiyməti isə 0,95 dollar bahalaşaraq 61,20 dollara yüksəlib."
            " Şimal dənizinin \"Brent\" markalı neftinin bir bareli 66,87 dollardan satılır.",
            "Qeyd edək ki, 2026-cı il üçün dövlət büdcəsində neftin qiyməti 65 dollar nəzərdə tutulub.",
        ),
        tags=("neft", "Azeri Light"),
    ),
    Story(
        id=954014,
        category="social",
        slug="bakida-yeni-metro-stansiyasinin-tikintisi-yekunlasir",
        title="Bakıda yeni metro stansiyasının tikintisi yekunlaşır",
        published="2026-04-07 13:30",
        paragraphs=(
            "Bakı metropoliteninin Bənövşəyi xəttində B-4 stansiyasının tikintisi yekun mərhələdədir.",
            "\"Bakı Metropoliteni\" QSC-dən APA-ya bildirilib ki, stansiyanın vestibülündə üzlük işləri"
            " aparılır, eskalatorların quraşdırılması başa çatıb.",
            "Stansiyanın ilin sonunadək sərnişinlərin istifadəsinə verilməsi planlaşdırılır. Yeni stansiya"
            " Xətai rayonunun sıx məskunlaşmış ərazilərinə xidmət göstərəcək.",
        ),
        tags=("metro",),
        quirks=quirks("no_canonical"),
    ),
    Story(
        id=954013,
        category="sports",
        slug="cudocularimiz-antalyada-3-medal-qazanib",
        title="Cüdoçularımız Antalyada 3 medal qazanıb",
        published="2026-04-07 12:10",
        paragraphs=(
            "Antalyada keçirilən Qran-pri turnirində Azərbaycan cüdoçuları 3 medal qazanıblar.",
            "Zelim Kotsoyev (100 kq) qızıl, Hidayət Heydərov (73 kq) və Eljan Hacıyev (90 kq) bürünc"
            " medala sahib çıxıblar.",
        ),
        tags=("cüdo",),
    ),
    Story(
        id=954012,
        category="foreign-policy",
        slug="prezident-ilham-eliyev-ozbekistan-numayende-heyetini-qebul-edib",
        title="Prezident İlham Əliyev Özbəkistan nümayəndə heyətini qəbul edib",
        published="2026-04-07 11:00",
        paragraphs=(
            "Azərbaycan Respublikasının Prezidenti İlham Əliyev Özbəkistanın xarici işlər naziri"
            " Bakhtiyor Saidovun rəhbərlik etdiyi nümayəndə heyətini qəbul edib.",
            "Görüşdə Azərbaycan ilə Özbəkistan arasında müttəfiqlik münasibətlərinin uğurla inkişaf etdiyi"
            " məmnunluqla vurğulanıb.",
            "Söhbət zamanı ticarət dövriyyəsinin artırılması, sənaye kooperasiyası və nəqliyyat-logistika"
            " sahəsində birgə layihələr müzakirə olunub.",
        ),
        tags=("İlham Əliyev", "Özbəkistan"),
        quirks=quirks("foreign_canonical"),
    ),
    Story(
        id=954010,
        category="culture-policy",
        slug="milli-xalca-muzeyinde-yeni-sergi-acilib",
        title="Milli Xalça Muzeyində yeni sərgi açılıb",
        published="2026-04-07 09:45",
        paragraphs=(
            "Azərbaycan Milli Xalça Muzeyində \"Qarabağ xalçaları: irs və yaddaş\" adlı sərgi açılıb.",
            "Sərgidə XVIII-XX əsrlərə aid 60-dan çox xalça və xalça məmulatı nümayiş olunur. Eksponatların"
            " bir qismi ilk dəfə geniş ictimaiyyətə təqdim edilir.",
            "Sərgi iyunun sonunadək ziyarətçilərin üzünə açıq olacaq.",
        ),
        tags=("xalça", "muzey"),
    ),
    Story(
        id=954009,
        category="world",
        slug="qazaxistan-ve-azerbaycan-orta-dehlizin-imkanlarini-muzakire-edib",
        title="Qazaxıstan və Azərbaycan Orta Dəhlizin imkanlarını müzakirə edib",
        published="2026-04-06 23:20",
        paragraphs=(
            "Astanada Azərbaycan və Qazaxıstanın nəqliyyat nazirlərinin görüşü keçirilib.",
            "Tərəflər Transxəzər Beynəlxalq Nəqliyyat Marşrutu ilə yükdaşımaların həcmini 2027-ci ilədək"
            " ildə 10 milyon tona çatdırmaq məqsədi ilə birgə fəaliyyət planını təsdiqləyiblər.",
            "Aktau və Ələt limanlarında konteyner terminallarının genişləndirilməsi də müzakirə edilib.",
        ),
        tags=("Orta Dəhliz", "Qazaxıstan"),
    ),
)
