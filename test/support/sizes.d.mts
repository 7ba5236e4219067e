/** One shipped file and its budget (see sizes.mjs). */
export interface SizeBudget {
  readonly name: string
  readonly file: string
  readonly minify: boolean
  readonly budget: number
}
export declare const sizes: readonly SizeBudget[]
