/**
 * `T` when it names exactly the fields of `Wire` and each fits; otherwise a compile error
 * (a type that does not fit) or `never` (a field one side lacks). `value satisfies
 * Fits<T, Wire>` holds a hand-written type to the generated wire types.
 */
export type Fits<T extends Wire, Wire> = [
  Exclude<keyof T, keyof Wire> | Exclude<keyof Wire, keyof T>,
] extends [never]
  ? T
  : never;
