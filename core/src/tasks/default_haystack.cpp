// The built-in haystack text (see default_haystack.h); a copy of resources/eval/haystack_lighthouse.txt.
#include "rw/core/tasks/default_haystack.h"

namespace rw::core {

std::string_view builtin_haystack_text() {
  static constexpr std::string_view kText = R"RWTEXT(The Keeper of the Northern Light

The lighthouse stood on a shelf of black rock at the end of the world, or so it seemed to the people of the harbor town, who had never sailed farther than the fishing grounds beyond the reef. It was a tall white tower with a red cap, and at night its lamp turned slowly, throwing a long pale arm across the water. The keeper who tended it was a quiet woman named Ada Marrow, and she had lived there longer than most of the town could remember.

Ada kept a logbook on the table beside the stairs. In it she wrote the weather, the ships that passed, the state of the lamp and the oil, and sometimes a line or two about the birds. She wrote in small, careful letters, because paper had to come by boat and boats did not come often in winter. When the wind rose from the west she wrote that the glass was falling. When the fog came in she wrote that the horn had sounded through the night, and that her ears still rang with it in the morning.

The work of a keeper is mostly patience. The lamp must be lit before dusk and put out after dawn. The wick must be trimmed so that it burns without smoke, and the great lens must be wiped clean of salt and soot. Brass must be polished, not because anyone sees it, but because a keeper who lets the small things go will soon let the large things go as well. Ada believed this firmly. She had learned it from the old keeper before her, a man who spoke so rarely that each of his sentences felt like a gift.

In spring the gulls returned and nested on every ledge of the rock. They screamed at her when she went down to the landing, and they stole whatever she left uncovered. She did not mind them much. They were loud and rude, but they were company, and in the long dark months she had missed even their noise. She counted the nests each year and wrote the number in the logbook, and she noticed that the number grew a little every spring, as if the rock were slowly becoming more theirs than hers.

Once a month a boat came from the harbor with oil, flour, letters and news. The boatman was a cheerful young fellow called Tobin, who talked enough for both of them. He told her who had married and who had quarreled, which roof had blown off in the last storm, and what the merchants were saying about the price of fish. Ada listened and nodded and gave him tea. When he left she would stand on the landing and watch his sail grow smaller until it slipped behind the point, and then she would climb the stairs again and go back to her work.

There were nights when the sea was so calm that the light lay on it like a road, and she could almost believe that one might walk along it to the edge of the sky. There were other nights when the waves struck the rock so hard that the whole tower trembled and the windows sang in their frames. On those nights she did not sleep. She sat by the lamp with a blanket around her shoulders and a lantern at her feet, and she listened to the storm the way a doctor listens to a heartbeat, waiting for the change that would tell her something was wrong.

Nothing ever went badly wrong while she was keeper, and that was the point of her. A lighthouse is a promise that the danger is known and marked. Sailors who had never met her trusted her completely. They steered by her light as if it were a star, and they slept easier in their bunks knowing that someone was awake on the rock. Ada understood that this trust was the real thing she kept, more than the lamp or the lens or the brass. The lamp could be replaced. Trust, once broken, could not.

In autumn the light came earlier and the evenings grew long. Ada mended nets she did not need, because her hands liked to be busy. She read the same few books again and again until she knew whole pages by heart. She wrote letters to a sister who lived far inland, in a town with no sea at all, and she tried to describe the color of the water in the hour before a storm. She never found the right words, and her sister, who had never seen the ocean, always wrote back that it sounded very beautiful and a little frightening.

One winter a ship ran into trouble beyond the reef. It was a small trading vessel, low in the water with a heavy cargo, and its mast had cracked in the gale. Ada saw its lights flickering where no lights should be, and she knew at once that it was drifting toward the rocks. She could not row out in such a sea. What she could do was keep the lamp bright and sound the horn, again and again, so that the crew would know exactly where the danger lay. She worked the horn until her arms ached and her breath came short. Toward morning the wind shifted, and the ship crept past the reef into the lee of the point, and its crew dropped anchor in calm water.

The captain came to see her in the spring. He was a broad man with a gray beard, and he stood in her doorway turning his hat in his hands. He said that he had not prayed in many years, but that on that night he had prayed to her light. Ada did not know what to say to this. She gave him tea, as she gave everyone tea, and she showed him the logbook where she had written the ship's lights, the wind, the hours of the horn. He read the page slowly and then closed the book and thanked her, and he went away looking as if he had been given something he would carry for the rest of his life.

Years passed in this way, each much like the last. The town grew, and a new pier was built, and the fishing boats were fitted with engines that coughed and smoked in the harbor. Men came from the capital to talk about an electric lamp that would turn itself on and off with no keeper at all. Ada listened politely. She did not argue with them. She only asked who would hear the horn, and who would watch for the lights where no lights should be, and who would write the weather in the book. The men had no answer, and they went away, and for a while nothing changed.

In the end the electric lamp did come, as such things always do. It was bright and steady and needed no wick. Ada stayed on for a season to show the engineers how the old tower breathed in a storm, where the water came in under the door and which window rattled first when the wind turned. Then she packed her books and her blanket and the logbooks, all of them, and Tobin rowed her across the harbor for the last time. He did not talk much that day. Neither did she.

She took a small house on the hill above the town, with a window that faced the sea. Every evening she sat there and watched the new lamp turn, and every evening she wrote the weather in a fresh book, out of habit, though no one would ever read it. Children from the town came to visit her, and she told them about the gulls and the storms and the ship beyond the reef. They asked her whether she had been lonely on the rock. She thought about it for a long time before she answered. She said that a person who keeps a light is never quite alone, because somewhere out in the dark there is always someone looking for it.
)RWTEXT";
  return kText;
}

}  // namespace rw::core
