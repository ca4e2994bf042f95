import { createHash, randomBytes, randomUUID } from "node:crypto";

const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Aliyun request ids look like upper-case UUIDs: 473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E. */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

/**
 * Generates resource ids shaped like Aliyun's (i-bp67acfmxazb4pd2abcd): a prefix, a region code and 20 characters in all.
 * The characters come from a per-emulator salt and a counter, so ids are unique across emulators running side by
 * side (several test files) and never repeat within one.
 */
export class IdGenerator {
  private readonly salt = randomBytes(8).toString("hex");
  private counter = 0;

  next(prefix: string, regionCode = ""): string {
    this.counter += 1;
    const digest = createHash("sha256").update(`${this.salt}:${prefix}:${this.counter}`).digest();
    let body = "";
    for (let i = 0; body.length < 20 - regionCode.length; i++) body += LOWER_ALNUM[digest[i % digest.length] % LOWER_ALNUM.length];
    return `${prefix}-${regionCode}${body}`;
  }
}

/** The two-letter code Aliyun puts after the prefix in a region's resource ids (bp = cn-hangzhou). */
export function regionCode(regionId: string): string {
  const known: Record<string, string> = {
    "cn-hangzhou": "bp",
    "cn-shanghai": "uf",
    "cn-beijing": "2z",
    "cn-shenzhen": "wz",
    "cn-qingdao": "m5",
    "cn-zhangjiakou": "8v",
    "cn-hongkong": "j6",
    "ap-southeast-1": "t4",
  };
  return known[regionId] ?? "xx";
}
