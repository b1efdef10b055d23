import { createRequire } from 'node:module';
import type { Country } from 'world-countries';

// The package's typings declare an ES default export, but Node loads its
// CommonJS entry, whose module.exports is the array itself.
const worldCountries = createRequire(import.meta.url)('world-countries') as readonly Country[];

export interface CountrySeed {
  id: number;
  /** ISO 3166-1 alpha-2, upper case. */
  iso: string;
  iso3: string;
  name: string;
  lat: number;
  lon: number;
}

/*
 * Ids are a public contract (clients send country_id=229 for the United
 * Kingdom), so they are written out here rather than computed from the data
 * package, whose list may grow or be renamed between releases.
 *
 * They were numbered once by this rule, which yields the pinned ids
 * 1 Afghanistan, 2 Albania and 229 United Kingdom:
 *   - 1–244: every inhabited ISO 3166-1 country or territory, by English short
 *     name in code-point order (not locale collation, which differs between
 *     ICU versions); so "Åland Islands" comes after "Zimbabwe".
 *   - 245–249: the five Antarctic and sub-Antarctic territories, which have no
 *     permanent population and so no local job market.
 * A country added to ISO 3166-1 later takes the next id after the highest
 * ever used; a withdrawn one is removed and its id is never reused.
 */
const COUNTRY_IDS: readonly (readonly [id: number, iso: string])[] = [
  [1, 'AF'], // Afghanistan
  [2, 'AL'], // Albania
  [3, 'DZ'], // Algeria
  [4, 'AS'], // American Samoa
  [5, 'AD'], // Andorra
  [6, 'AO'], // Angola
  [7, 'AI'], // Anguilla
  [8, 'AG'], // Antigua and Barbuda
  [9, 'AR'], // Argentina
  [10, 'AM'], // Armenia
  [11, 'AW'], // Aruba
  [12, 'AU'], // Australia
  [13, 'AT'], // Austria
  [14, 'AZ'], // Azerbaijan
  [15, 'BS'], // Bahamas
  [16, 'BH'], // Bahrain
  [17, 'BD'], // Bangladesh
  [18, 'BB'], // Barbados
  [19, 'BY'], // Belarus
  [20, 'BE'], // Belgium
  [21, 'BZ'], // Belize
  [22, 'BJ'], // Benin
  [23, 'BM'], // Bermuda
  [24, 'BT'], // Bhutan
  [25, 'BO'], // Bolivia
  [26, 'BA'], // Bosnia and Herzegovina
  [27, 'BW'], // Botswana
  [28, 'BR'], // Brazil
  [29, 'IO'], // British Indian Ocean Territory
  [30, 'VG'], // British Virgin Islands
  [31, 'BN'], // Brunei
  [32, 'BG'], // Bulgaria
  [33, 'BF'], // Burkina Faso
  [34, 'BI'], // Burundi
  [35, 'KH'], // Cambodia
  [36, 'CM'], // Cameroon
  [37, 'CA'], // Canada
  [38, 'CV'], // Cape Verde
  [39, 'BQ'], // Caribbean Netherlands
  [40, 'KY'], // Cayman Islands
  [41, 'CF'], // Central African Republic
  [42, 'TD'], // Chad
  [43, 'CL'], // Chile
  [44, 'CN'], // China
  [45, 'CX'], // Christmas Island
  [46, 'CC'], // Cocos (Keeling) Islands
  [47, 'CO'], // Colombia
  [48, 'KM'], // Comoros
  [49, 'CK'], // Cook Islands
  [50, 'CR'], // Costa Rica
  [51, 'HR'], // Croatia
  [52, 'CU'], // Cuba
  [53, 'CW'], // Curaçao
  [54, 'CY'], // Cyprus
  [55, 'CZ'], // Czechia
  [56, 'CD'], // Democratic Republic of the Congo
  [57, 'DK'], // Denmark
  [58, 'DJ'], // Djibouti
  [59, 'DM'], // Dominica
  [60, 'DO'], // Dominican Republic
  [61, 'EC'], // Ecuador
  [62, 'EG'], // Egypt
  [63, 'SV'], // El Salvador
  [64, 'GQ'], // Equatorial Guinea
  [65, 'ER'], // Eritrea
  [66, 'EE'], // Estonia
  [67, 'SZ'], // Eswatini
  [68, 'ET'], // Ethiopia
  [69, 'FK'], // Falkland Islands
  [70, 'FO'], // Faroe Islands
  [71, 'FJ'], // Fiji
  [72, 'FI'], // Finland
  [73, 'FR'], // France
  [74, 'GF'], // French Guiana
  [75, 'PF'], // French Polynesia
  [76, 'GA'], // Gabon
  [77, 'GM'], // Gambia
  [78, 'GE'], // Georgia
  [79, 'DE'], // Germany
  [80, 'GH'], // Ghana
  [81, 'GI'], // Gibraltar
  [82, 'GR'], // Greece
  [83, 'GL'], // Greenland
  [84, 'GD'], // Grenada
  [85, 'GP'], // Guadeloupe
  [86, 'GU'], // Guam
  [87, 'GT'], // Guatemala
  [88, 'GG'], // Guernsey
  [89, 'GN'], // Guinea
  [90, 'GW'], // Guinea-Bissau
  [91, 'GY'], // Guyana
  [92, 'HT'], // Haiti
  [93, 'HN'], // Honduras
  [94, 'HK'], // Hong Kong
  [95, 'HU'], // Hungary
  [96, 'IS'], // Iceland
  [97, 'IN'], // India
  [98, 'ID'], // Indonesia
  [99, 'IR'], // Iran
  [100, 'IQ'], // Iraq
  [101, 'IE'], // Ireland
  [102, 'IM'], // Isle of Man
  [103, 'IL'], // Israel
  [104, 'IT'], // Italy
  [105, 'CI'], // Ivory Coast
  [106, 'JM'], // Jamaica
  [107, 'JP'], // Japan
  [108, 'JE'], // Jersey
  [109, 'JO'], // Jordan
  [110, 'KZ'], // Kazakhstan
  [111, 'KE'], // Kenya
  [112, 'KI'], // Kiribati
  [113, 'KW'], // Kuwait
  [114, 'KG'], // Kyrgyzstan
  [115, 'LA'], // Laos
  [116, 'LV'], // Latvia
  [117, 'LB'], // Lebanon
  [118, 'LS'], // Lesotho
  [119, 'LR'], // Liberia
  [120, 'LY'], // Libya
  [121, 'LI'], // Liechtenstein
  [122, 'LT'], // Lithuania
  [123, 'LU'], // Luxembourg
  [124, 'MO'], // Macau
  [125, 'MG'], // Madagascar
  [126, 'MW'], // Malawi
  [127, 'MY'], // Malaysia
  [128, 'MV'], // Maldives
  [129, 'ML'], // Mali
  [130, 'MT'], // Malta
  [131, 'MH'], // Marshall Islands
  [132, 'MQ'], // Martinique
  [133, 'MR'], // Mauritania
  [134, 'MU'], // Mauritius
  [135, 'YT'], // Mayotte
  [136, 'MX'], // Mexico
  [137, 'FM'], // Micronesia
  [138, 'MD'], // Moldova
  [139, 'MC'], // Monaco
  [140, 'MN'], // Mongolia
  [141, 'ME'], // Montenegro
  [142, 'MS'], // Montserrat
  [143, 'MA'], // Morocco
  [144, 'MZ'], // Mozambique
  [145, 'MM'], // Myanmar
  [146, 'NA'], // Namibia
  [147, 'NR'], // Nauru
  [148, 'NP'], // Nepal
  [149, 'NL'], // Netherlands
  [150, 'NC'], // New Caledonia
  [151, 'NZ'], // New Zealand
  [152, 'NI'], // Nicaragua
  [153, 'NE'], // Niger
  [154, 'NG'], // Nigeria
  [155, 'NU'], // Niue
  [156, 'NF'], // Norfolk Island
  [157, 'KP'], // North Korea
  [158, 'MK'], // North Macedonia
  [159, 'MP'], // Northern Mariana Islands
  [160, 'NO'], // Norway
  [161, 'OM'], // Oman
  [162, 'PK'], // Pakistan
  [163, 'PW'], // Palau
  [164, 'PS'], // Palestine
  [165, 'PA'], // Panama
  [166, 'PG'], // Papua New Guinea
  [167, 'PY'], // Paraguay
  [168, 'PE'], // Peru
  [169, 'PH'], // Philippines
  [170, 'PN'], // Pitcairn Islands
  [171, 'PL'], // Poland
  [172, 'PT'], // Portugal
  [173, 'PR'], // Puerto Rico
  [174, 'QA'], // Qatar
  [175, 'CG'], // Republic of the Congo
  [176, 'RO'], // Romania
  [177, 'RU'], // Russia
  [178, 'RW'], // Rwanda
  [179, 'RE'], // Réunion
  [180, 'BL'], // Saint Barthélemy
  [181, 'SH'], // Saint Helena, Ascension and Tristan da Cunha
  [182, 'KN'], // Saint Kitts and Nevis
  [183, 'LC'], // Saint Lucia
  [184, 'MF'], // Saint Martin
  [185, 'PM'], // Saint Pierre and Miquelon
  [186, 'VC'], // Saint Vincent and the Grenadines
  [187, 'WS'], // Samoa
  [188, 'SM'], // San Marino
  [189, 'SA'], // Saudi Arabia
  [190, 'SN'], // Senegal
  [191, 'RS'], // Serbia
  [192, 'SC'], // Seychelles
  [193, 'SL'], // Sierra Leone
  [194, 'SG'], // Singapore
  [195, 'SX'], // Sint Maarten
  [196, 'SK'], // Slovakia
  [197, 'SI'], // Slovenia
  [198, 'SB'], // Solomon Islands
  [199, 'SO'], // Somalia
  [200, 'ZA'], // South Africa
  [201, 'KR'], // South Korea
  [202, 'SS'], // South Sudan
  [203, 'ES'], // Spain
  [204, 'LK'], // Sri Lanka
  [205, 'SD'], // Sudan
  [206, 'SR'], // Suriname
  [207, 'SJ'], // Svalbard and Jan Mayen
  [208, 'SE'], // Sweden
  [209, 'CH'], // Switzerland
  [210, 'SY'], // Syria
  [211, 'ST'], // São Tomé and Príncipe
  [212, 'TW'], // Taiwan
  [213, 'TJ'], // Tajikistan
  [214, 'TZ'], // Tanzania
  [215, 'TH'], // Thailand
  [216, 'TL'], // Timor-Leste
  [217, 'TG'], // Togo
  [218, 'TK'], // Tokelau
  [219, 'TO'], // Tonga
  [220, 'TT'], // Trinidad and Tobago
  [221, 'TN'], // Tunisia
  [222, 'TM'], // Turkmenistan
  [223, 'TC'], // Turks and Caicos Islands
  [224, 'TV'], // Tuvalu
  [225, 'TR'], // Türkiye
  [226, 'UG'], // Uganda
  [227, 'UA'], // Ukraine
  [228, 'AE'], // United Arab Emirates
  [229, 'GB'], // United Kingdom
  [230, 'US'], // United States
  [231, 'UM'], // United States Minor Outlying Islands
  [232, 'VI'], // United States Virgin Islands
  [233, 'UY'], // Uruguay
  [234, 'UZ'], // Uzbekistan
  [235, 'VU'], // Vanuatu
  [236, 'VA'], // Vatican City
  [237, 'VE'], // Venezuela
  [238, 'VN'], // Vietnam
  [239, 'WF'], // Wallis and Futuna
  [240, 'EH'], // Western Sahara
  [241, 'YE'], // Yemen
  [242, 'ZM'], // Zambia
  [243, 'ZW'], // Zimbabwe
  [244, 'AX'], // Åland Islands
  [245, 'AQ'], // Antarctica
  [246, 'BV'], // Bouvet Island
  [247, 'TF'], // French Southern and Antarctic Lands
  [248, 'HM'], // Heard Island and McDonald Islands
  [249, 'GS'], // South Georgia and the South Sandwich Islands
];

/** Where world-countries' common name is an abbreviation or a shortened form. */
const NAME_OVERRIDES: Readonly<Record<string, string>> = {
  CD: 'Democratic Republic of the Congo',
  GS: 'South Georgia and the South Sandwich Islands',
};

const byIso = new Map(worldCountries.map((country) => [country.cca2, country]));

export const countries: readonly CountrySeed[] = COUNTRY_IDS.map(([id, iso]) => {
  const country = byIso.get(iso);
  if (!country) throw new Error(`world-countries has no country ${iso}; see the note on COUNTRY_IDS`);
  const [lat, lon] = country.latlng;
  return { id, iso, iso3: country.cca3, name: NAME_OVERRIDES[iso] ?? country.name.common, lat, lon };
});
