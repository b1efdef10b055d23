import ISO6391 from 'iso-639-1';

export interface LanguageSeed {
  id: number;
  /** ISO 639-1 two-letter code, lower case. */
  isoCode: string;
  name: string;
}

/*
 * Ids are a public contract, so they are written out rather than computed
 * from iso-639-1. They were numbered once: English first, as the language of
 * almost every job this board carries, then every other ISO 639-1 code
 * alphabetically. A code added later takes the next id after the highest ever
 * used; none is ever renumbered or reused.
 */
const LANGUAGE_IDS: readonly (readonly [id: number, isoCode: string])[] = [
  [1, 'en'], // English
  [2, 'aa'], // Afar
  [3, 'ab'], // Abkhaz
  [4, 'ae'], // Avestan
  [5, 'af'], // Afrikaans
  [6, 'ak'], // Akan
  [7, 'am'], // Amharic
  [8, 'an'], // Aragonese
  [9, 'ar'], // Arabic
  [10, 'as'], // Assamese
  [11, 'av'], // Avaric
  [12, 'ay'], // Aymara
  [13, 'az'], // Azerbaijani
  [14, 'ba'], // Bashkir
  [15, 'be'], // Belarusian
  [16, 'bg'], // Bulgarian
  [17, 'bi'], // Bislama
  [18, 'bm'], // Bambara
  [19, 'bn'], // Bengali
  [20, 'bo'], // Tibetan
  [21, 'br'], // Breton
  [22, 'bs'], // Bosnian
  [23, 'ca'], // Catalan
  [24, 'ce'], // Chechen
  [25, 'ch'], // Chamorro
  [26, 'co'], // Corsican
  [27, 'cr'], // Cree
  [28, 'cs'], // Czech
  [29, 'cu'], // Old Church Slavonic
  [30, 'cv'], // Chuvash
  [31, 'cy'], // Welsh
  [32, 'da'], // Danish
  [33, 'de'], // German
  [34, 'dv'], // Divehi
  [35, 'dz'], // Dzongkha
  [36, 'ee'], // Ewe
  [37, 'el'], // Greek
  [38, 'eo'], // Esperanto
  [39, 'es'], // Spanish
  [40, 'et'], // Estonian
  [41, 'eu'], // Basque
  [42, 'fa'], // Persian
  [43, 'ff'], // Fula
  [44, 'fi'], // Finnish
  [45, 'fj'], // Fijian
  [46, 'fo'], // Faroese
  [47, 'fr'], // French
  [48, 'fy'], // Western Frisian
  [49, 'ga'], // Irish
  [50, 'gd'], // Scottish Gaelic
  [51, 'gl'], // Galician
  [52, 'gn'], // Guaraní
  [53, 'gu'], // Gujarati
  [54, 'gv'], // Manx
  [55, 'ha'], // Hausa
  [56, 'he'], // Hebrew
  [57, 'hi'], // Hindi
  [58, 'ho'], // Hiri Motu
  [59, 'hr'], // Croatian
  [60, 'ht'], // Haitian
  [61, 'hu'], // Hungarian
  [62, 'hy'], // Armenian
  [63, 'hz'], // Herero
  [64, 'ia'], // Interlingua
  [65, 'id'], // Indonesian
  [66, 'ie'], // Interlingue
  [67, 'ig'], // Igbo
  [68, 'ii'], // Nuosu
  [69, 'ik'], // Inupiaq
  [70, 'io'], // Ido
  [71, 'is'], // Icelandic
  [72, 'it'], // Italian
  [73, 'iu'], // Inuktitut
  [74, 'ja'], // Japanese
  [75, 'jv'], // Javanese
  [76, 'ka'], // Georgian
  [77, 'kg'], // Kongo
  [78, 'ki'], // Kikuyu
  [79, 'kj'], // Kwanyama
  [80, 'kk'], // Kazakh
  [81, 'kl'], // Kalaallisut
  [82, 'km'], // Khmer
  [83, 'kn'], // Kannada
  [84, 'ko'], // Korean
  [85, 'kr'], // Kanuri
  [86, 'ks'], // Kashmiri
  [87, 'ku'], // Kurdish
  [88, 'kv'], // Komi
  [89, 'kw'], // Cornish
  [90, 'ky'], // Kyrgyz
  [91, 'la'], // Latin
  [92, 'lb'], // Luxembourgish
  [93, 'lg'], // Ganda
  [94, 'li'], // Limburgish
  [95, 'ln'], // Lingala
  [96, 'lo'], // Lao
  [97, 'lt'], // Lithuanian
  [98, 'lu'], // Luba-Katanga
  [99, 'lv'], // Latvian
  [100, 'mg'], // Malagasy
  [101, 'mh'], // Marshallese
  [102, 'mi'], // Māori
  [103, 'mk'], // Macedonian
  [104, 'ml'], // Malayalam
  [105, 'mn'], // Mongolian
  [106, 'mr'], // Marathi
  [107, 'ms'], // Malay
  [108, 'mt'], // Maltese
  [109, 'my'], // Burmese
  [110, 'na'], // Nauru
  [111, 'nb'], // Norwegian Bokmål
  [112, 'nd'], // Northern Ndebele
  [113, 'ne'], // Nepali
  [114, 'ng'], // Ndonga
  [115, 'nl'], // Dutch
  [116, 'nn'], // Norwegian Nynorsk
  [117, 'no'], // Norwegian
  [118, 'nr'], // Southern Ndebele
  [119, 'nv'], // Navajo
  [120, 'ny'], // Chichewa
  [121, 'oc'], // Occitan
  [122, 'oj'], // Ojibwe
  [123, 'om'], // Oromo
  [124, 'or'], // Oriya
  [125, 'os'], // Ossetian
  [126, 'pa'], // Panjabi
  [127, 'pi'], // Pāli
  [128, 'pl'], // Polish
  [129, 'ps'], // Pashto
  [130, 'pt'], // Portuguese
  [131, 'qu'], // Quechua
  [132, 'rm'], // Romansh
  [133, 'rn'], // Kirundi
  [134, 'ro'], // Romanian
  [135, 'ru'], // Russian
  [136, 'rw'], // Kinyarwanda
  [137, 'sa'], // Sanskrit
  [138, 'sc'], // Sardinian
  [139, 'sd'], // Sindhi
  [140, 'se'], // Northern Sami
  [141, 'sg'], // Sango
  [142, 'si'], // Sinhala
  [143, 'sk'], // Slovak
  [144, 'sl'], // Slovenian
  [145, 'sm'], // Samoan
  [146, 'sn'], // Shona
  [147, 'so'], // Somali
  [148, 'sq'], // Albanian
  [149, 'sr'], // Serbian
  [150, 'ss'], // Swati
  [151, 'st'], // Southern Sotho
  [152, 'su'], // Sundanese
  [153, 'sv'], // Swedish
  [154, 'sw'], // Swahili
  [155, 'ta'], // Tamil
  [156, 'te'], // Telugu
  [157, 'tg'], // Tajik
  [158, 'th'], // Thai
  [159, 'ti'], // Tigrinya
  [160, 'tk'], // Turkmen
  [161, 'tl'], // Tagalog
  [162, 'tn'], // Tswana
  [163, 'to'], // Tonga
  [164, 'tr'], // Turkish
  [165, 'ts'], // Tsonga
  [166, 'tt'], // Tatar
  [167, 'tw'], // Twi
  [168, 'ty'], // Tahitian
  [169, 'ug'], // Uyghur
  [170, 'uk'], // Ukrainian
  [171, 'ur'], // Urdu
  [172, 'uz'], // Uzbek
  [173, 've'], // Venda
  [174, 'vi'], // Vietnamese
  [175, 'vo'], // Volapük
  [176, 'wa'], // Walloon
  [177, 'wo'], // Wolof
  [178, 'xh'], // Xhosa
  [179, 'yi'], // Yiddish
  [180, 'yo'], // Yoruba
  [181, 'za'], // Zhuang
  [182, 'zh'], // Chinese
  [183, 'zu'], // Zulu
];

export const languages: readonly LanguageSeed[] = LANGUAGE_IDS.map(([id, isoCode]) => {
  const name = ISO6391.getName(isoCode);
  if (!name) throw new Error(`iso-639-1 has no language ${isoCode}; see the note on LANGUAGE_IDS`);
  return { id, isoCode, name };
});
