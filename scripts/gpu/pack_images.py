# Packs Flickr8k's train and dev photos as WebP (quality 75) for the GPU machine, under their
# .jpg names (the extractor reads the format from the content), in parts that each fit one call:
# `pack_images.py BYTES...` fills .device/img1 up to the first size, img2 up to the second, and
# puts the rest into the last folder.
import io, os, sys
import PIL.Image as I
src = '/work/shared/flickr8k/'
names = []
for split in ('Flickr_8k.trainImages.txt', 'Flickr_8k.devImages.txt'):
    names += [l.strip() for l in open(src + split) if l.strip()]
limits = [int(a) for a in sys.argv[1:]] + [float('inf')]
part, used = 0, 0
for n in names:
    b = io.BytesIO(); I.open(src + 'Images/' + n).save(b, 'WEBP', quality=75, method=4)
    while used + b.tell() > limits[part]:
        part, used = part + 1, 0
    used += b.tell()
    os.makedirs(f'.device/img{part + 1}', exist_ok=True)
    open(f'.device/img{part + 1}/{n}', 'wb').write(b.getvalue())
print(len(names), 'photos in', part + 1, 'parts')
