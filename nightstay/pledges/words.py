"""The words of welcome-card phrases: 256 short, common, easy to spell and to read out.

Four of them make a phrase (32 bits). No two words share their first four letters, so a
coordinator typing from a crumpled card in the dark rarely mistakes one for another.
"""

WORDS = tuple("""
acorn actor agent alarm album amber angel ankle apple apron arrow atlas autumn badge baker
bamboo banjo barrel basket beach beard berry bicycle bishop blanket blossom bottle bread
bridge brush bucket buffalo butter cabin cactus camel candle canoe canyon carpet carrot
castle cattle cedar chalk cherry chess circus clock cloud clover coconut coffee comet
copper coral cotton cousin cradle crayon crown cup daisy dancer desert diamond dinner
doctor dolphin donkey dragon drum eagle earth echo elbow engine falcon farmer feather fern
finger flag flute forest fountain fox garden garlic giant ginger glove goat gold
grape guitar hammer harbor harvest hat hazel helmet heron hill honey horse island ivory jacket
jam jelly jewel juice jungle kettle kitten kiwi ladder lake lamp lantern lemon letter lily
lion lizard lobster magnet mango maple marble meadow melon mirror monkey moon mountain mouse
museum needle nest night noodle ocean olive onion orange orchid otter owl paddle palace panda
paper parrot pasta peach pearl pencil pepper piano pigeon pillow pilot planet plum pocket
pony potato puppet pumpkin queen rabbit radio rain raven ribbon river robin rocket rose ruby
saddle sailor salmon salt sand scarf shadow shell ship silver singer sister sky snow soap
sock spider spoon star stone storm sugar summer sun swan table tailor teacup tent
thunder tiger tomato tower tractor train tulip turtle valley velvet violin wagon
walnut water whale wheat window winter wolf wood yogurt zebra anchor beaver biscuit cobra compass
harp igloo kayak koala llama meteor nutmeg orbit oyster pebble quilt tunnel vanilla yacht
zipper lotus mint ferry
""".split())
