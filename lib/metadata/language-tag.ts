// RFC 5646 §2.1 langtag, by shape (well-formed, not registry-checked), case-insensitive:
// language (2-3 letters with up to three extlangs, or 4, or 5-8 letters), script (4 letters),
// region (2 letters or 3 digits), variants, extensions, private use. A private-use-only tag
// (x-...) is allowed too; the irregular grandfathered tags (i-klingon, ...) are not.
const LANGTAG =
  '(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})' +
  '(?:-[a-z]{4})?' +
  '(?:-(?:[a-z]{2}|[0-9]{3}))?' +
  '(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*' +
  '(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*' +
  '(?:-x(?:-[a-z0-9]{1,8})+)?';
const LANGUAGE_TAG = new RegExp(`^(?:${LANGTAG}|x(?:-[a-z0-9]{1,8})+)$`, 'i');

export function isLanguageTag(tag: string): boolean {
  return tag.length <= 64 && LANGUAGE_TAG.test(tag);
}
