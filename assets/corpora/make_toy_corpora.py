"""Writes assets/corpora/toy_en.txt and toy_zh.txt: small template corpora with clear word clusters
(animals, food, royalty, vehicles, colours, numbers), so a toy word2vec / GloVe learns visible structure in seconds.
Run once; the outputs are committed (deterministic, seed 0)."""

import random
from pathlib import Path

OUT = Path(__file__).resolve().parent

EN = {
    "animal": ["cat", "dog", "kitten", "puppy", "horse", "rabbit"],
    "food": ["bread", "rice", "apple", "cheese", "soup", "noodles"],
    "royal": ["king", "queen", "prince", "princess", "emperor", "duke"],
    "vehicle": ["car", "bus", "train", "bicycle", "truck", "plane"],
    "colour": ["red", "blue", "green", "yellow", "black", "white"],
}
EN_T = {
    "animal": [
        "the {w} sleeps on the warm floor",
        "my {w} chases the ball in the garden",
        "a small {w} drinks milk",
        "the {w} runs and barks at the door",
        "we feed the hungry {w} every morning",
        "the {w} is a friendly pet",
    ],
    "food": [
        "we eat {w} for dinner",
        "she cooks fresh {w} in the kitchen",
        "the {w} tastes sweet and delicious",
        "he buys {w} at the market",
        "hot {w} is served with tea",
        "children like to eat {w} for lunch",
    ],
    "royal": [
        "the {w} rules the kingdom",
        "the {w} lives in the palace",
        "the crown of the {w} is gold",
        "people bow before the {w}",
        "the {w} gives orders to the army",
        "the old {w} sits on the throne",
    ],
    "vehicle": [
        "the {w} drives along the road",
        "we travel to the city by {w}",
        "the {w} needs fuel to move",
        "the {w} stops at the station",
        "a fast {w} carries many passengers",
        "he parks the {w} near the office",
    ],
    "colour": [
        "the wall is painted {w}",
        "she wears a {w} dress",
        "the sky turns {w} at night",
        "a {w} flower grows in spring",
        "he likes the colour {w}",
        "the flag is {w} and bright",
    ],
}
ZH = {
    "animal": ["猫", "狗", "小猫", "小狗", "马", "兔子"],
    "food": ["面包", "米饭", "苹果", "奶酪", "汤", "面条"],
    "royal": ["国王", "王后", "王子", "公主", "皇帝", "公爵"],
    "vehicle": ["汽车", "公交车", "火车", "自行车", "卡车", "飞机"],
    "colour": ["红色", "蓝色", "绿色", "黄色", "黑色", "白色"],
}
ZH_T = {
    "animal": [
        "{w} 在 温暖 的 地板 上 睡觉",
        "我 的 {w} 在 花园 里 追 球",
        "一只 小小 的 {w} 在 喝 牛奶",
        "{w} 对着 门口 叫",
        "我们 每天 早上 喂 饥饿 的 {w}",
        "{w} 是 友好 的 宠物",
    ],
    "food": [
        "我们 晚饭 吃 {w}",
        "她 在 厨房 里 做 新鲜 的 {w}",
        "{w} 的 味道 又 甜 又 好",
        "他 在 市场 买 {w}",
        "热 的 {w} 配 茶 一起 上桌",
        "孩子们 午饭 喜欢 吃 {w}",
    ],
    "royal": [
        "{w} 统治 整个 王国",
        "{w} 住 在 宫殿 里",
        "{w} 的 王冠 是 金 的",
        "人们 向 {w} 鞠躬",
        "{w} 向 军队 下达 命令",
        "年老 的 {w} 坐 在 王位 上",
    ],
    "vehicle": [
        "{w} 沿着 公路 行驶",
        "我们 坐 {w} 去 城市",
        "{w} 需要 燃料 才能 开动",
        "{w} 停 在 车站",
        "快速 的 {w} 载着 很多 乘客",
        "他 把 {w} 停 在 办公室 附近",
    ],
    "colour": [
        "墙 被 漆成 {w}",
        "她 穿着 {w} 的 裙子",
        "夜里 天空 变成 {w}",
        "春天 开出 一朵 {w} 的 花",
        "他 喜欢 {w}",
        "旗帜 是 {w} 的 很 鲜艳",
    ],
}


def build(words, templates, n, rng):
    lines = []
    for _ in range(n):
        topic = rng.choice(sorted(words))
        lines.append(rng.choice(templates[topic]).format(w=rng.choice(words[topic])))
    return lines


if __name__ == "__main__":
    rng = random.Random(0)
    (OUT / "toy_en.txt").write_text("\n".join(build(EN, EN_T, 1500, rng)) + "\n", encoding="utf-8")
    (OUT / "toy_zh.txt").write_text("\n".join(build(ZH, ZH_T, 1500, rng)) + "\n", encoding="utf-8")
