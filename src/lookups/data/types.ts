/** A look-up row that clients may name by handle as well as by id. */
export interface HandleSeed {
  id: number;
  handle: string;
  name: string;
}
