# Packs Flickr8k's train and dev photos as WebP (quality 80) for the GPU machine, under their
# .jpg names (the extractor reads the format from the content): two parts sized to fit two calls.
import io, os, sys
import PIL.Image as I
src = '/work/shared/flickr8k/'
names = []
for split in ('Flickr_8k.trainImages.txt', 'Flickr_8k.devImages.txt'):
    names += [l.strip() for l in open(src + split) if l.strip()]
first_part_bytes = int(sys.argv[1])
os.makedirs('.device/imgA', exist_ok=True); os.makedirs('.device/imgB', exist_ok=True)
used = 0
for n in names:
    b = io.BytesIO(); I.open(src + 'Images/' + n).save(b, 'WEBP', quality=80, method=4)
    part = 'imgA' if used + b.tell() <= first_part_bytes else 'imgB'
    if part == 'imgA': used += b.tell()
    open(f'.device/{part}/{n}', 'wb').write(b.getvalue())
print(len(names), 'photos')
