import currencyCodes from 'currency-codes';
import getSymbolFromCurrency from 'currency-symbol-map';

export interface CurrencySeed {
  id: number;
  /** ISO 4217 alphabetic code. */
  isoCode: string;
  name: string;
  symbol: string;
  /** The symbol as HTML numeric entities, e.g. '&#163;' for '£'. */
  unicode: string;
}

/*
 * ISO 4217 codes that are not money anyone is paid in: precious metals, bond
 * market and settlement units, the IMF's SDR, the testing and "no currency"
 * codes, and the funds codes (indexed units and same-day/next-day variants).
 * A salary in one of these would be a data-entry error, so they get no id.
 */
export const excludedCurrencyCodes: ReadonlySet<string> = new Set([
  'XAU', 'XAG', 'XPD', 'XPT',
  'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XSU', 'XUA',
  'XTS', 'XXX',
  'BOV', 'CHE', 'CHW', 'CLF', 'COU', 'MXV', 'USN', 'UYI', 'UYW',
]);

/*
 * Ids are a public contract, so they are written out rather than computed
 * from currency-codes, whose list follows ISO's amendments. They were
 * numbered once: 1–4 are the four most traded currencies in order of turnover
 * (USD, EUR, JPY, GBP in the BIS triennial survey), which gives the contract's
 * 1 USD, 2 EUR and 4 GBP; then every other active code alphabetically. A code that ISO adds later takes the next id
 * after the highest ever used; a withdrawn one is removed and its id is never
 * reused.
 */
const CURRENCY_IDS: readonly (readonly [id: number, isoCode: string])[] = [
  [1, 'USD'], // US Dollar
  [2, 'EUR'], // Euro
  [3, 'JPY'], // Yen
  [4, 'GBP'], // Pound Sterling
  [5, 'AED'], // UAE Dirham
  [6, 'AFN'], // Afghani
  [7, 'ALL'], // Lek
  [8, 'AMD'], // Armenian Dram
  [9, 'ANG'], // Netherlands Antillean Guilder
  [10, 'AOA'], // Kwanza
  [11, 'ARS'], // Argentine Peso
  [12, 'AUD'], // Australian Dollar
  [13, 'AWG'], // Aruban Florin
  [14, 'AZN'], // Azerbaijan Manat
  [15, 'BAM'], // Convertible Mark
  [16, 'BBD'], // Barbados Dollar
  [17, 'BDT'], // Taka
  [18, 'BGN'], // Bulgarian Lev
  [19, 'BHD'], // Bahraini Dinar
  [20, 'BIF'], // Burundi Franc
  [21, 'BMD'], // Bermudian Dollar
  [22, 'BND'], // Brunei Dollar
  [23, 'BOB'], // Boliviano
  [24, 'BRL'], // Brazilian Real
  [25, 'BSD'], // Bahamian Dollar
  [26, 'BTN'], // Ngultrum
  [27, 'BWP'], // Pula
  [28, 'BYN'], // Belarusian Ruble
  [29, 'BZD'], // Belize Dollar
  [30, 'CAD'], // Canadian Dollar
  [31, 'CDF'], // Congolese Franc
  [32, 'CHF'], // Swiss Franc
  [33, 'CLP'], // Chilean Peso
  [34, 'CNY'], // Yuan Renminbi
  [35, 'COP'], // Colombian Peso
  [36, 'CRC'], // Costa Rican Colon
  [37, 'CUC'], // Peso Convertible
  [38, 'CUP'], // Cuban Peso
  [39, 'CVE'], // Cabo Verde Escudo
  [40, 'CZK'], // Czech Koruna
  [41, 'DJF'], // Djibouti Franc
  [42, 'DKK'], // Danish Krone
  [43, 'DOP'], // Dominican Peso
  [44, 'DZD'], // Algerian Dinar
  [45, 'EGP'], // Egyptian Pound
  [46, 'ERN'], // Nakfa
  [47, 'ETB'], // Ethiopian Birr
  [48, 'FJD'], // Fiji Dollar
  [49, 'FKP'], // Falkland Islands Pound
  [50, 'GEL'], // Lari
  [51, 'GHS'], // Ghana Cedi
  [52, 'GIP'], // Gibraltar Pound
  [53, 'GMD'], // Dalasi
  [54, 'GNF'], // Guinean Franc
  [55, 'GTQ'], // Quetzal
  [56, 'GYD'], // Guyana Dollar
  [57, 'HKD'], // Hong Kong Dollar
  [58, 'HNL'], // Lempira
  [59, 'HTG'], // Gourde
  [60, 'HUF'], // Forint
  [61, 'IDR'], // Rupiah
  [62, 'ILS'], // New Israeli Sheqel
  [63, 'INR'], // Indian Rupee
  [64, 'IQD'], // Iraqi Dinar
  [65, 'IRR'], // Iranian Rial
  [66, 'ISK'], // Iceland Krona
  [67, 'JMD'], // Jamaican Dollar
  [68, 'JOD'], // Jordanian Dinar
  [69, 'KES'], // Kenyan Shilling
  [70, 'KGS'], // Som
  [71, 'KHR'], // Riel
  [72, 'KMF'], // Comorian Franc
  [73, 'KPW'], // North Korean Won
  [74, 'KRW'], // Won
  [75, 'KWD'], // Kuwaiti Dinar
  [76, 'KYD'], // Cayman Islands Dollar
  [77, 'KZT'], // Tenge
  [78, 'LAK'], // Lao Kip
  [79, 'LBP'], // Lebanese Pound
  [80, 'LKR'], // Sri Lanka Rupee
  [81, 'LRD'], // Liberian Dollar
  [82, 'LSL'], // Loti
  [83, 'LYD'], // Libyan Dinar
  [84, 'MAD'], // Moroccan Dirham
  [85, 'MDL'], // Moldovan Leu
  [86, 'MGA'], // Malagasy Ariary
  [87, 'MKD'], // Denar
  [88, 'MMK'], // Kyat
  [89, 'MNT'], // Tugrik
  [90, 'MOP'], // Pataca
  [91, 'MRU'], // Ouguiya
  [92, 'MUR'], // Mauritius Rupee
  [93, 'MVR'], // Rufiyaa
  [94, 'MWK'], // Malawi Kwacha
  [95, 'MXN'], // Mexican Peso
  [96, 'MYR'], // Malaysian Ringgit
  [97, 'MZN'], // Mozambique Metical
  [98, 'NAD'], // Namibia Dollar
  [99, 'NGN'], // Naira
  [100, 'NIO'], // Cordoba Oro
  [101, 'NOK'], // Norwegian Krone
  [102, 'NPR'], // Nepalese Rupee
  [103, 'NZD'], // New Zealand Dollar
  [104, 'OMR'], // Rial Omani
  [105, 'PAB'], // Balboa
  [106, 'PEN'], // Sol
  [107, 'PGK'], // Kina
  [108, 'PHP'], // Philippine Peso
  [109, 'PKR'], // Pakistan Rupee
  [110, 'PLN'], // Zloty
  [111, 'PYG'], // Guarani
  [112, 'QAR'], // Qatari Rial
  [113, 'RON'], // Romanian Leu
  [114, 'RSD'], // Serbian Dinar
  [115, 'RUB'], // Russian Ruble
  [116, 'RWF'], // Rwanda Franc
  [117, 'SAR'], // Saudi Riyal
  [118, 'SBD'], // Solomon Islands Dollar
  [119, 'SCR'], // Seychelles Rupee
  [120, 'SDG'], // Sudanese Pound
  [121, 'SEK'], // Swedish Krona
  [122, 'SGD'], // Singapore Dollar
  [123, 'SHP'], // Saint Helena Pound
  [124, 'SLE'], // Leone
  [125, 'SOS'], // Somali Shilling
  [126, 'SRD'], // Surinam Dollar
  [127, 'SSP'], // South Sudanese Pound
  [128, 'STN'], // Dobra
  [129, 'SVC'], // El Salvador Colon
  [130, 'SYP'], // Syrian Pound
  [131, 'SZL'], // Lilangeni
  [132, 'THB'], // Baht
  [133, 'TJS'], // Somoni
  [134, 'TMT'], // Turkmenistan New Manat
  [135, 'TND'], // Tunisian Dinar
  [136, 'TOP'], // Pa’anga
  [137, 'TRY'], // Turkish Lira
  [138, 'TTD'], // Trinidad and Tobago Dollar
  [139, 'TWD'], // New Taiwan Dollar
  [140, 'TZS'], // Tanzanian Shilling
  [141, 'UAH'], // Hryvnia
  [142, 'UGX'], // Uganda Shilling
  [143, 'UYU'], // Peso Uruguayo
  [144, 'UZS'], // Uzbekistan Sum
  [145, 'VED'], // Bolívar Soberano
  [146, 'VES'], // Bolívar Soberano
  [147, 'VND'], // Dong
  [148, 'VUV'], // Vatu
  [149, 'WST'], // Tala
  [150, 'XAF'], // CFA Franc BEAC
  [151, 'XCD'], // East Caribbean Dollar
  [152, 'XOF'], // CFA Franc BCEAO
  [153, 'XPF'], // CFP Franc
  [154, 'YER'], // Yemeni Rial
  [155, 'ZAR'], // Rand
  [156, 'ZMW'], // Zambian Kwacha
  [157, 'ZWG'], // Zimbabwe Gold
];

function toHtmlEntities(text: string): string {
  return Array.from(text, (char) => `&#${char.codePointAt(0)};`).join('');
}

export const currencies: readonly CurrencySeed[] = CURRENCY_IDS.map(([id, isoCode]) => {
  const record = currencyCodes.code(isoCode);
  if (!record) throw new Error(`currency-codes has no currency ${isoCode}; see the note on CURRENCY_IDS`);
  const symbol = getSymbolFromCurrency(isoCode) ?? isoCode;
  // ISO's own list carries stray whitespace in a few names ("Comorian Franc ").
  return { id, isoCode, name: record.currency.trim(), symbol, unicode: toHtmlEntities(symbol) };
});
