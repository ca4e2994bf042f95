/**
 * The committed cn-hangzhou instance-type catalog (data/cn-hangzhou-catalog.json) with its types. The file was
 * derived once from the project's research data; emulator/scenario/README.md says what is observed and what
 * is estimated.
 */
import catalogJson from "./data/cn-hangzhou-catalog.json";

export interface CatalogFamily {
  /** Hardware generation (8 for c8y), null for the u1 and e families, which have none. Drives generated spot ratios. */
  readonly generation: number | null;
  readonly level: "EnterpriseLevel" | "EntryLevel";
}

export interface CatalogInstanceType {
  readonly id: string;
  readonly family: string;
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly arch: "X86" | "ARM";
  /** Pay-as-you-go Linux CNY/hour, 3 decimals. */
  readonly onDemand: number;
  /** "observed" = a public price list; "estimated" = derived from family rates or a fit (no public price). */
  readonly onDemandBasis: "observed" | "estimated";
  /** Zones where spot is sold; empty = not sold in the region. */
  readonly zones: readonly string[];
  /** "observed" = spot price rows seen in these zones; "assumed" = no data, a plausible choice; "not-offered". */
  readonly zonesBasis: "observed" | "assumed" | "not-offered";
  /** Observed spot price / onDemand per zone (2024-10-09), only where observed. */
  readonly spotRatioByZone?: Readonly<Record<string, number>>;
}

export interface CnHangzhouCatalog {
  readonly provenance: readonly string[];
  readonly region: string;
  readonly currency: string;
  readonly snapshot: { readonly onDemandPrices: string; readonly spotPrices: string };
  readonly zones: readonly string[];
  readonly families: Readonly<Record<string, CatalogFamily>>;
  readonly instanceTypes: readonly CatalogInstanceType[];
}

/** The catalog as committed. Frozen because it is shared by every scenario build in the process. */
export const cnHangzhouCatalog: CnHangzhouCatalog = deepFreeze(catalogJson as CnHangzhouCatalog);

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
