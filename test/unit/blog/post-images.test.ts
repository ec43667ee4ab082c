import { expect } from 'chai';
import { createHash } from 'node:crypto';
import {
  checkImageBytes,
  imageKindOfBytes,
  imagePathOf,
  MAX_IMAGE_BYTES,
  parseImageName,
  parseImagePath,
} from '../../../src/blog/post-images.js';
import { ValidationError } from '../../../src/errors.js';

const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

function refusal(bytes: Buffer): string | undefined {
  try {
    checkImageBytes(bytes);
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    return (error as ValidationError).fieldErrors.image;
  }
  return undefined;
}

describe('post images: the rule', () => {
  it('when bytes start like a PNG, JPEG, GIF or WebP, then that is their kind, whatever the name says', () => {
    expect(imageKindOfBytes(PNG_HEAD)).to.equal('png');
    expect(imageKindOfBytes(Buffer.from('ffd8ffe000104a4649', 'hex'))).to.equal('jpg');
    expect(imageKindOfBytes(Buffer.from('GIF87a....', 'latin1'))).to.equal('gif');
    expect(imageKindOfBytes(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'))).to.equal('webp');
    expect(imageKindOfBytes(Buffer.from('<svg onload="x"></svg>'))).to.equal(null);
    expect(imageKindOfBytes(Buffer.alloc(0))).to.equal(null);
  });

  it('when bytes are checked, then an image gets its SHA-256 and an empty, huge or non-image one is refused', () => {
    const bytes = Buffer.concat([PNG_HEAD, Buffer.from('rest')]);
    expect(checkImageBytes(bytes)).to.deep.equal({
      bytes,
      ext: 'png',
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(refusal(Buffer.alloc(0))).to.equal('blog.images.empty');
    expect(refusal(Buffer.concat([PNG_HEAD, Buffer.alloc(MAX_IMAGE_BYTES)]))).to.equal('blog.images.tooLarge');
    expect(refusal(Buffer.from('GIF8 not quite'))).to.equal('blog.images.kind');
  });

  it('when a stored image is named, then its path and name read back; anything else is no stored image', () => {
    const sha256 = 'a'.repeat(64);
    expect(imagePathOf({ sha256, ext: 'webp' })).to.equal(`/images/${sha256}.webp`);
    expect(parseImagePath(`/images/${sha256}.webp`)).to.deep.equal({ sha256, ext: 'webp' });
    expect(parseImageName(`${sha256}.jpg`)).to.deep.equal({ sha256, ext: 'jpg' });
    for (const name of [`${sha256}.svg`, `${'A'.repeat(64)}.png`, `${sha256.slice(1)}.png`, `${sha256}.png.exe`])
      expect(parseImageName(name), name).to.equal(null);
    expect(parseImagePath('posts/old.png')).to.equal(null);
    expect(parseImagePath(null)).to.equal(null);
  });
});
