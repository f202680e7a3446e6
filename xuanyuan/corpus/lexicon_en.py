"""English vocabulary for the synthetic corpus: people, places, companies and topic words."""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Margaret Mark Sandra "
    "Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Dorothy "
    "George Melissa Timothy Deborah Ronald Stephanie Edward Rebecca Jason Sharon Jeffrey Laura Ryan Cynthia Jacob "
    "Kathleen Gary Amy Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda Larry Pamela Justin Emma Scott "
    "Nicole Brandon Helen Benjamin Samantha Samuel Katherine Gregory Christine Alexander Debra Frank Rachel Patrick "
    "Carolyn Raymond Janet Jack Catherine Dennis Maria Jerry Heather Tyler Diane Aaron Ruth Jose Julie Adam Olivia "
    "Nathan Joyce Henry Virginia Douglas Victoria Zachary Kelly Peter Lauren Kyle Christina Ethan Joan Walter Evelyn "
    "Noah Judith Jeremy Megan Christian Andrea Keith Cheryl Roger Hannah Terry Jacqueline Gerald Martha Harold Gloria "
    "Sean Teresa Austin Ann Carl Sara Arthur Madison Lawrence Frances Dylan Kathryn Jesse Janice Jordan Jean Bryan "
    "Abigail Billy Alice Joe Judy Bruce Sophia Gabriel Grace Logan Denise Albert Amber Willie Doris Alan Marilyn "
    "Priya Arjun Mei Hiroshi Yuki Chen Fatima Omar Lucia Mateo Ingrid Lars Amara Kwame Sofia Diego Aisha Ravi"
)
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera "
    "Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim "
    "Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler "
    "Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds "
    "Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford "
    "Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman "
    "Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon "
    "Okafor Haddad Lindqvist Nakamura Kowalski Novak Schmidt Rossi Dubois Moretti Jensen Ivanova Mehta Tanaka"
)
CITIES = _words(
    "Austin Boston Chicago Denver Seattle Portland Phoenix Atlanta Nashville Charlotte Columbus Pittsburgh Baltimore "
    "Milwaukee Minneapolis Detroit Cleveland Sacramento Tucson Albuquerque Omaha Richmond Raleigh Spokane Boise "
    "Madison Savannah Tampa Orlando Miami Houston Dallas Memphis Louisville Indianapolis Kansas_City Salt_Lake_City "
    "San_Diego San_Jose Oakland Buffalo Rochester Hartford Providence Burlington Anchorage Honolulu Toronto Vancouver "
    "Montreal Calgary Ottawa London Manchester Leeds Bristol Glasgow Edinburgh Cardiff Dublin Cork Sydney Melbourne "
    "Brisbane Perth Adelaide Auckland Wellington Singapore Amsterdam Rotterdam Copenhagen Stockholm Oslo Helsinki "
    "Berlin Munich Hamburg Vienna Zurich Geneva Lisbon Porto Madrid Barcelona Valencia Milan Turin Prague Warsaw "
    "Krakow Budapest Athens Istanbul Dubai Mumbai Bangalore Seoul Tokyo Osaka Manila Jakarta Nairobi Lagos Cape_Town"
)
COMPANY_STEMS = _words(
    "Apex Summit Harbor Northwind Bluestone Redwood Silverline Granite Meridian Crescent Evergreen Keystone "
    "Lighthouse Riverbend Oakridge Pinecrest Ironbridge Clearwater Brightpath Cobalt Falcon Horizon Juniper Larkspur "
    "Maplewood Nimbus Orchard Pioneer Quarry Sterling Tidewater Union Vantage Westfield Yellowstone Zenith Alder "
    "Beacon Cedar Driftwood Emberly Foxglove Goldcrest Hawthorn Ivory Jasper Kestrel Lumen Mosaic Northstar Onyx "
    "Prairie Quill Rook Sable Thistle Upland Velvet Willow Arbor Basalt Canyon Delta Echo Fjord Glacier Heron"
)
COMPANY_SUFFIXES = _words("Corp Holdings Technologies Group Partners Industries Systems Labs Bancorp Capital Energy Foods Logistics Health Robotics Materials Software Insurance")
PRODUCTS = _words(
    "laptops smartphones electric_vans heat_pumps solar_panels running_shoes coffee_machines wireless_earbuds "
    "cloud_storage payroll_software crop_insurance frozen_meals bicycles e-readers air_purifiers routers"
)
FOODS = _words(
    "sourdough risotto lasagna ramen paella chili gumbo curry falafel pierogi tacos dumplings shakshuka "
    "gnocchi pho biryani brisket chowder frittata goulash pancakes granola hummus moussaka quiche ratatouille"
)
INGREDIENTS = _words(
    "garlic onions tomatoes basil thyme rosemary paprika cumin ginger lemons butter olive_oil spinach mushrooms "
    "chickpeas lentils carrots celery potatoes parmesan yogurt honey cinnamon coriander scallions peppers"
)
PLANTS = _words("tomatoes peppers lavender roses hydrangeas basil mint zucchini kale lettuce strawberries blueberries sunflowers tulips dahlias ferns succulents")
SPORTS = _words("basketball soccer tennis baseball hockey cycling swimming rugby cricket golf volleyball marathon")
ACTIVITIES = _words("hiking kayaking birdwatching camping cycling skiing snorkeling rock_climbing sailing fishing")
SITE_NAMES = _words("The Daily Ledger|Morning Compass|Harbor Times|Open Notebook|Kitchen Table Blog|Trail Notes|Market Pulse|Money Matters Weekly|The Green Thumb|Pocket Guide")
SITE_NAMES = tuple(" ".join(SITE_NAMES).split("|"))


def display(word: str) -> str:
    """Underscores join multi-word entries so that the lists split on whitespace."""
    return word.replace("_", " ")
