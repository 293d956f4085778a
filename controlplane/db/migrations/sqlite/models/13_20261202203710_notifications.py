from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "outbox_events" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "type" VARCHAR(64) NOT NULL,
    "subject" VARCHAR(64),
    "payload" JSON NOT NULL,
    "occurred_at" TIMESTAMP NOT NULL
) /* Something that happened, written in the same transaction as the change itself. */;
CREATE INDEX IF NOT EXISTS "idx_outbox_even_type_d6e2ee" ON "outbox_events" ("type");
CREATE INDEX IF NOT EXISTS "idx_outbox_even_subject_306ded" ON "outbox_events" ("subject");
CREATE INDEX IF NOT EXISTS "idx_outbox_even_occurre_bbee2d" ON "outbox_events" ("occurred_at");
        CREATE TABLE IF NOT EXISTS "outbox_deliveries" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "channel" VARCHAR(32) NOT NULL,
    "attempts" INT NOT NULL,
    "next_attempt_at" TIMESTAMP,
    "last_error" VARCHAR(500),
    "delivered_at" TIMESTAMP,
    "failed_at" TIMESTAMP,
    "event_id" CHAR(36) NOT NULL REFERENCES "outbox_events" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_outbox_deli_event_i_6d0293" UNIQUE ("event_id", "channel")
) /* One channel's (email, later webhooks) delivery of one event, with its retries. */;
CREATE INDEX IF NOT EXISTS "idx_outbox_deli_channel_35e7b9" ON "outbox_deliveries" ("channel", "next_attempt_at");
        CREATE TABLE IF NOT EXISTS "user_tokens" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "purpose" VARCHAR(16) NOT NULL /* VERIFY_EMAIL: VERIFY_EMAIL\nRESET_PASSWORD: RESET_PASSWORD */,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "expires_at" TIMESTAMP NOT NULL,
    "used_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL,
    "user_id" CHAR(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
) /* A single-use secret mailed to a user (verify the email, reset the password). */;
CREATE INDEX IF NOT EXISTS "idx_user_tokens_created_dd045d" ON "user_tokens" ("created_at");
CREATE INDEX IF NOT EXISTS "idx_user_tokens_user_id_76d92e" ON "user_tokens" ("user_id", "purpose", "created_at");
        ALTER TABLE "users" ADD "email_verified" INT NOT NULL DEFAULT 1;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "users" DROP COLUMN "email_verified";
        DROP TABLE IF EXISTS "user_tokens";
        DROP TABLE IF EXISTS "outbox_events";
        DROP TABLE IF EXISTS "outbox_deliveries";"""


MODELS_STATE = (
    "eJztXW1z4riy/isqvmymipmaMEl2L3vrVpGE7LKbQArIvpzllNfYIvjElhi/hOGcM//9qv"
    "0Cfo/lGGI8+jIDtlomT8tS99Ot1n9aBlWxbn3oOfZyujSpbeu41UX/aRHZgA+p99uoJa9W"
    "u7twwZbnrmRLZi0lO9x0btmmrNjs5kLWLcwuqdhSTG1la5SAyI2s6Vh9r9NHjSCFOsTGJl"
    "pQE1GC0RPeoBOZIFlx73xnIWyw9ojdlpGia5jYSFZVE1vWuw/wPJUq7IEaeay+a4donx0s"
    "2fQR20tssgf89U92WSMq/oKt4OvqSVpoWFcjOLJnQQ/uDcnerNyLV0vZvHGbwu+eSwrVHY"
    "OEmq829pKSbXv2d8HVR0ywKdtYDUFKHF33VRBc8n4tu2CbDt7+THV3QcUL2dFBMSDt/YTd"
    "tZYkDUdTadKfSlIrobRAIgS2f0mhBBSuEdtyETDkL5KOyaO9ZF8/ffz41XvQDgmvGTzxt9"
    "746ufe+IS1egePpGzceKNq6N/qePe+up3Itux140K/w3rBlOgwrSUBHxA7He+wSAx09oeU"
    "AT24sEN9N/oDiD/uC/NH+AXvO6dn35/98Oni7AfWxP2V2yvf52hhMJy6AO8AXbM/gq4ly5"
    "ZNOwnqNUPF1gycjmxcNoau6gt/CD7sC+s9DvEcLKeDu/5k2ru7h+4Ny/qsu4j1pn2403Gv"
    "bmJXTy5ig3/bCfp9MP0ZwVf0j9Gw78JJLfvRdJ+4azf9Rwt+E5uKqUQY+GwSC2ESXA4ufY"
    "VJa/EUepXgwlxWntayqUqJO7RDs9ombxkdI35FJvKjqyRAE36nv8ZcU8Ux2Jx75U3TactQ"
    "vEnuSqT6jSV/3reKrUY/0zViv3HDfp4xZ1LuUmFhU8MWkomKNlg20cmMvSa/ve987FzMWu"
    "/QUraQZlkOVrtIp8oTVttII4qJ4flYBbnE0rSn58yIQg1Ds+HrWrOXiK1UKIACaXbwuDay"
    "KFvmTKrDAgkaRApbjh4xetSe2U/QbMtviuDma9c/TeVZ/rzWjVv9Ti8KLH6n8dd/t/bBrf"
    "ylzxscHAvfTkAse7Ds1WQuHLA/TCZKqi2+vZc7+2l+q4Kz3pTNEqZDCMMXWZqKEV2w2cFy"
    "5ttWXbRm7zyGKUSz0EqXFW/CQUs2kXkXVcrEk0Z4xX1XPAs9PAyuOWYhx9HUDyCzn7mo9b"
    "8LhyiACXKfBP+c/V/r8JaLZ4h7c1HYyHD/9PxJKKxZiQ/yFNHD4v82ZuKLYIfAxeazpmBe"
    "XCNSVUKanPCPD1OHwcMJaEhEoBlFk7DFiBPNkMgr0PShahSYbBG3nRQmA2znPrPPXTzDFk"
    "H0td9KV2NLF0C0dd8fXg+GP3EuWYFYF/kfZuR+PPptMBmMht7l0LcZGT8Mvcv+hxm56Q1u"
    "+9dd5P0/I5Pp6P4eLvgf4lbJIe31nTpNLFvs701VZ/qrsZMopcKX34mDUiUxfD92zoogzJ"
    "plY+zejKKsYlvWdB6UdxLNQ7nz8eyHAihDs0yUvZuxVdPkgthv3jx8K+S0Q4so+99ayd6c"
    "XhTiiNC+Zvw3RPriUwGgLz5l4gy3ojArKycJ8I1O5Qy6xG8fw3YBAkeIbg6a16OHy9s+W3"
    "X7V+6qG2Wq3ZtwiV3QbBeDcb93GwPXwAY1U8Jel9pjJh+1kzkcH7XP8etRUv/T6Xz69H3n"
    "46eLH87Pvv/+/IePW24qeSuPpLoc/AQ8VWR8J+M1ls3uPqZMHXnIh4QE9KWhd7kroNqT4P"
    "8yGQ3ToY8IxQNkmmKj/yJds/amhBDnNHc03daI9QEe+xa0E4AUiZUFs/fJXe+P+MR+dTu6"
    "jPtQ0MFlgjNRTGyneFHZKgmJCIVUrhCP4ZVk7mhyRLCCUHLNDMtjjyRHTCvmudqllByVbG"
    "DCADj16ojoG38EHona/ZclV+vOSi2p9aik0HpdtJ7ysru/vjaR0meqZQVKvVvt/Dip26hg"
    "mLRHkC+ATmQEy+BP/Xd+wqCJVUivoLZ7b9y/eRhev2v7+RpMzM3E0LH6iE2GoEws2VviNT"
    "vOTe7pMTMS5IFYH9AQP7MG/kvXRRbWdWy2mb2xgf9s+Ysbf9U1AukoJkYKXWle/7LtPczL"
    "IJkRXYakShMD+m1k0GcMvxR6UJYyeYQfI0NGSTgRhfWpw+uwCX637N7foDU2sYjy1icSkR"
    "3l9ZKDuOiprUTjMns+dYpQgJ1sBrATZ6aeNJKRMvVy2CeQrTMFCHlto8FVv4v8DzNyNe5f"
    "D6YgxK6GvtQjdBOaSzmjm0lJkdMQgZau2Z/soVFyxEd7qPW4f5j0x10E/9ZjXHvQ8Y3osM"
    "x+0x/q4n4fQzZJI/MfXLtUcr9ymBoxsTpPCKWjukWijp2cqGMnGXX0YfM3PZUAPCTZQMzP"
    "C2F+noP5eSbmz7KdOmm8CPlOsIGIV29Xuw4u93wSlWog0HuZTjzU3E2V/GBvxZqI9nmRvC"
    "fWKhvt80TWk+KYJiYK1z7TsEwDcS6SL5KdLpLIFrGcuU1tOWUw5wbWQ1Iisl46sm7LX/hw"
    "9wUE5OUh5x/sYqRXMtIlACmJfN5Y34o0CfnKtrC7gYwkoNkJIFuBw6d/vI1Tvp9ED2xqVC"
    "1XOSAuK9I96hMBTgb+fW3htKhFIT3j1JiF0HKttOxFa0tkd0QED5PcUROy8yh0XJNkjl+o"
    "Rqb0CZNWSjrH7mY7L6HjX6yZZEO7ojkdSNEdC3IYQBS5ogjKQqmGRjSQtqmJljJRLXYTsV"
    "/OlP4jspZ0TRAlCiRCsBZYhfIcS6wmN8Dv5QkiQaIWoYqcBAlOjrHB7OJpIXbxNIddPE2y"
    "i+5rJMEbwYNyVKpxiSgXRYjFi2xe8SJBK65MvNBSqJdsiHcSTRzKlQfg8ZeVxmaVEkZVVF"
    "JYznWzqiKb4dggciyuooRhkVKkTs3UWTWnwwnnq6AsNSnVudBVtCrBM1sVy7h1UUkxA9V5"
    "BhIbcrJfqOPcmlFkQ06gu3lKXDjb54tK7TUnrS7v8wueXk0Yklt3Y0fPq1jdSmFJog3aeU"
    "yJt0lE8stfF2ZL1rKuYxudQBKoiuYbJCPIX0Q2VeVNm32zsWwgd1eIv2dlxb4sqGkElbbT"
    "GJIKep2RGYFag4b2yEYkcAfsNbEQbKDpX/2K7KVsoyeMV3DJe9x3FlJkZQkPlHVILIbNLd"
    "D5nD7jGTE04niVUP1dN7pmaHbX28nC3P65DAgRymTY3IGoYyKFwdxGzAECawM4HtaRqZry"
    "whakTV1e5XYOaSPqtHtebqcQYdPJIWw6CcKm8Vtafu/d3vanXeT9PyPj/m/94UO/i/wPcA"
    "W26026/r69yYzc9/686w+n0tVtvzf2Kp3FrriV0O5G08Fo2LuVvH0xbj202LX4pFooEa1Q"
    "HlpOGlqCLqrFXo7DWB1iK0ez9x6IhMp9J1T6VlcS4LwUs5BQg1ixA+eYeQat5Bq0fPDHJR"
    "tDpx1eA4KO+SboGA7qIBR2Y89lGKUQ3Je+5M2vY6y7fm7KMIiwAfdeX0c4Er4GYz+4GoyI"
    "/XMsAWiZHEsI1Rc5lrA2X+ZYRgSKZjx65ySEdo933aQRA8gOdELcAh7/xiZ9BzwHViF1BM"
    "6QCeiQaImPJOeyt6cIkqMWhmw2yeEpl2/Z38k0Kb/8wGu+b7pK8sJOK51SwOrdiQrb99uw"
    "vA5KAjbL8Aor3V+vONmRqJQodXEkNXGOFtyEq5CKdRLoG2pi7ZH8ijcJbjXPMZhG+zxOmB"
    "POAbtsyuutdZky1tgHhgIOKpdPpuPB1bSVNl9UBnUoIttQmKNzZQbEbxk1D4/2TK8u9kq8"
    "6NmFBheHdwdVEt0DOZnzZTB3asMgXVMIPRtseKHAXUSWYxhwbB5zusAHK+TTVdi38ORqsC"
    "a0czw5TcXGitoQcZA4Q9cpoo0LY++lqslrYpuvimoexlloTUf30sN9F3n/z4hXfrbrl6EN"
    "YthBCHtGete/PEymELLuot3nekRERQhv3yE8Ey8wwIVzYv5ZucNxySaiXXkBqx1sfOXC4n"
    "INBLv6zU/MkKO8GRVhGZE5+8bnH5YasK19GYEHKCcoyM1vhNwUUeXjiioP2X/9Z5yetb+7"
    "2c7jHNxzkjG0K5ytb2KFmhC3XWJZt5deoFdzvV438AtdpuXjF5armCPIi4GlrqkpgS//la"
    "mvk3rAsFdOfYK3Oqe7ZutCNZbNwqSG9LrTumNd1DnzOXlad+9qOvit30Xe/zMC0uN+7/rP"
    "Ltp+nJHBMGgXfJqRux4bq/1hbwiHQYS+1INBYKvu67Qa6aDOTtc3pNTjcEMO5jefnxZhKV"
    "irbEfkNMFTHJcjUhdfuk6eR4BJXauFgdE8kY2V+0enmtT+3ZdtasttyBHAM+U1srGODWyb"
    "G+SJ/4hOiLv908Kf3yHNQt54c49JY/b0Spc3Xh0vC/aMLt3Y21pTUszvvTwhxVD/K2zRsT"
    "5b/4yZ7pEGbPCy23+5/wubXtj0RzrFcp0+85lvNPsCIkW2dHJm2jHduQXHD1zTp3GAKytH"
    "WmFTST2z/kanctY+sKhcTAMLEDxCHeTAeT16uLzto/tx/2owGfjFsre2mHvTXUY/61qQ9d"
    "S7jYFtYIOaG6jqxblMxgTFeC893lXNeiqhgIiYgL80/GxeUE+5JpqthJhiikwxANc5N8Dn"
    "AmAegE/5ET4VEOdCXDtSYUx13Vm1cqkFv027IMEgmW77gjyD9wgLUV2FQlhL2TvbHYgBE9"
    "vM7oJg3JqNALpuI/mZjR/2FyFmk6G5ozzhlDJblfT4Eo/gNU1QCYIxEIzBkU5pHIyBP/i5"
    "BvRORtiVpe3KtabaKYXgM0Hftm8S5pVVBA7x4QXxDEkIRAXN8rYmegg0yUg7N7IY4IGsAF"
    "1wW0exCApuS3BbTZtiasQLZB5NtrvZfpEJ4DmaDKpZz7FsMgccyu6Bgy7rkH8LFZigt+8s"
    "77SwH70K1FCqevJz733n/AKyA57wKoUEqKpTsTm4Fr5ntmsvDsg6yB4xkeiWDX2zttyIM3"
    "NeOZnVScmZ2Y1hLQt2dJ8ljQCqFHOZt8DO79R8wubQ7+w4gX2xuk5oWEVK61z1Jle96/5b"
    "VdYZOfacfrnGuvaMzU2abRxrkWsgU7ct/HXQWONJyFWWMiFYZ7brCTZkjSHtnhWD1ni+pP"
    "TJeof8XjeBqevuo2ujtWYvXRvXxDY8Mj0bt7ru4ZSavwn+YrMFwMbGCv7/GwzrOYVtdhCO"
    "czN+YfJHMlHdS4oua0YXycFTvOidjWz5CY6ZmRGTrt3CP3BcDWumY9li0ku2/La97OCYoM"
    "p+CjI09b2F2SNYc19UdZjYIxuHMwIHD7sP9zpj7awPaGDDT4VBgLb3t385u7OAA43hQJ2T"
    "4IEqVB5aMMiw+i47foiDzY8+0CmZyMEdeJ+j8HGmIwtPo2pPI6Saom5GSKSBO2qqL/vhj3"
    "aekExYpDFV+isLyMTnEE4rPkVcmPJ1NuV12bIlbJo0pfBy9jQVlarxltySE9VeapBsl/4S"
    "71VcVrxUdX6pPLuuhJojgkLHddaxa5pzkiBhGcGC5LMgW9fnlTSI52hvq8gcJ7Qv8iDhkV"
    "U/IiSzwE9MOS9SIDxFfibUwP5mX3Dtl6xzpnvm+K9NjRmoBGlemq/FflL4oBckWx65wFyx"
    "RwwkBdYXKUnDlXYfHNKrqUAXwH33T/3OQqGCtOxz193RrGAwBrwHW9ijKNwdzVt+AViHGW"
    "G3gaWwXVLiHXpic5nb1n+E+9Pc54jIZV1mxHZe5HLDV0o0aF/jsrq1CVdazvxfWElZcLLh"
    "DYnsyQNqEsAreQNpPUmAf5mMhukAh0TitrCm2Oi/SNesvS3qoQlj7mi6rRHrAzz2LeYMgC"
    "hiFwdAn9z1/ojr4Op2dBmfXKCDy/ixuIpb0rmMmxITbV5RzGN3VDiywxL8hJaW4M5TBzMZ"
    "2mqI0b3XQpj38gaOp8g0lSP3c23lldeSsyLmyqTPzNY0mcnpx+jmXpKblrRpw+asa4Syzx"
    "DRYg1s95zErfMWK59Z/UNmhBnAbIrGCzjFgxm224o/J9RkX0JPhKw+b0y+cyOIngW+rQmU"
    "HYUL+oAGW0frVRv5hG1ctW0c1lFRAy4sI6JtBaJt2ZxXNsg5nFcTQO6cnxdAmbXKPksF7h"
    "U9S+VtHL03xPe0UCTmNCcSc5pyVg1dSc6K92y+sNBeTzCoiaXLsb+XOrZCDa4xGxJp4LDd"
    "yxFLPvFXLrs2IiqSquviwlVwjsE+vZIxXrC/Y5m5xSdyP9crMb2WXBt9IMWQrmSo5emLI1"
    "c8ZwsOGlPb9U/BvNeIhZhfYDA/YCEbmr5Jz2Ks/hGCSq/FApXtLni64rQAIkKi0n/cphLb"
    "qg5Ao+MvK40poYQJEJVsoAVwJCt+oewS2HZeQschMZE9VGf9in1y34KWxR7Y7HWyWe5abO"
    "42JbdUAI8lFJVqXko186AKEaXZB9a496LWkLYCvTDVZZxDlOE0RaSaB/VZEUr6LJuRPksQ"
    "0u7g5HOWQiIi1TU/1RWgSkLLnen64HdznJC+mOIaGlB1ynCdYPNZU3ArhRwLbrXzeDHLa1"
    "SMEcsGVTBONXjH2zmMk/s/xyIVtG8cJ7KXiJ6lO4886AbtG4fuxacijNOnbMbpU3Lb2u5n"
    "JRCe4i9Z1fOiYg04pjzPRen/MY14J4kEza2Hcjsa/hQ0j2dtxiooMWAeqZdBV3Rch2Wal/"
    "Z9XmxXZs6mzPjgfsamlTqwsyEOiTQwcF09xK87J3b/h8QmrQ3vtFbOaaQVPxU27fzX6z4U"
    "euxN+9ddtPvcKrOKVn76q0GJvdQ30sr0bdZYBnBeqdq4qKiWmqKVgie9YWMFRXSSGsjeKB"
    "GWOfxOibdxt/eyJ4Ldoo6ppGXAZ6MfEXoV/DVjlQ6NvqDLs+eiBtPlK7Wk1qOSQut10XpK"
    "bGy7faYGOW0TIq+sJU3dZbO9187l7PxWHGlsgQjUwZORojuWjU0oHGchNg4c2LATbMue63"
    "SO4HepsDvmb2spd84v/kYnbHDYadtqqu1+RvzYCFa7sPmc2Joi69teLMQETOzW8oOe2mi9"
    "1JQlgo01FnzWMWzBoWv3EbDbPLO8XYyf/Kvl/2wpoL6gjB8RhewqWrJfwV2+Wfinibnynr"
    "FY2h/eSteZfGg93N+OeszJ9f6fkavbh8m0P+4i/0M9XN74hFOYZYvJ1VkVteGRt7M5p5UX"
    "lmugjXe8Nl3SlH9y5tgk2MaWVIJYTZduXnpG9UnB1C1EwqB0SFop1GzqIiEo2KNX8BcWVk"
    "zso5nUQvYZgTExUZQ2ce6i9m9ORjqQEER0aSLasimUeCmBfVRQqKC8ClzfnGcN3Uk0L/q7"
    "h5pUGiE47VRASnUsk3SId0IxiOdMal9De3vlsMvk5Wh0G1kmLwfxxIWHu8s+c7tc1Hen1K"
    "Wc9HpU5P5BR/lxsrw137k8ceZhbSSZ3vD9di7bG2op0jQF1RmH+mCZ7kfIdXrJzZyARqUE"
    "polKpSo1WKdcdmFYSCS9vkhWHl/S2n1/eD0Y/sQ52wZiXeR/mJF4Htt9bzKVrh/YleDTjE"
    "weJtAe0ti2H2fkqje86t/ewtXtxxnp/3E/GMM1/0NNqH8oYEpsONNeo8xZtWWT3zDN6EOw"
    "1LVmqWNqwyRlceJSvN9D8zyTJmkdk2ceZtxvLupOV86SK7Bk6uXOx4nLivIHdX7lPG0xVe"
    "VOtblkW1YXgnrjoN4sx1ox3NhbM+faTBSXa14odg925VHRnCKbtTzPKXKYm6z1uucwhzjp"
    "zCMDko3aRXlursMDgpPAH7GXfhzu6DsLARuC/SO/18uNW3t/vaQ/xgv+Ayc7ly0cJwiq7n"
    "9GEkcLGO6B4btjudzTweHrUoNo9gYRDAduqZols/EDic5acCo5XRfOb44A7JGbwUEChRn/"
    "vMB7Kl+aEm/3Z7T6knsHDLZnRwJStFWYwE6Kiho4MUNpYVJDeh3NGuuixubpN0uzssXzdT"
    "qOdFDnPOtvVsXMvrP4En13EnVWaEmXci9HhzNbhfKGpcMye92Cc4SLD7+f1lj/7Hj9sVql"
    "G03p6mHVSnHCvBu5jpd3skxBZ+uOEryBPZ4O80wM5pRYsqaCK7JhTomuo5W8YQ5Pm10xqf"
    "O4DB2B9iNSTKxq3iFqCusaTjCgZKGZRvJchP09RqRA1WIyzHZ86Jqh4gFW0miL9lDnRb71"
    "MIFdifBvPawpDzq+gR6WEdlSx1O59vjQlI30vU15rNRORuwEKb0TxMs4UfhqAYZk6jwHl3"
    "S0iuT8Zaf8JTL+xAGiSYQrP0D0G06rvBoNbwbjO5fSCT7OyE1v4LI83v/1pXgWGKYSriIJ"
    "EaHGpRxX/25o8DRH2e4yieKcXWg3LteIiSiPldhHrd1gJpfYqC2zAgRylcQgajTM93K8Md"
    "ADJtQdcEydb0aJytU44FMW7o9nPxTBmzXLOTgWbsbCMLuAN++pxwlJwSXHTHOP28rIrstG"
    "Ni4ncM3CtUQuXUxW5AnXjbY/3pxJsTX82LeGuwclpYRqggOUsiM1QA2KLeANj3+87Uk9tb"
    "JH93JWDzZkjcvu3wo0jkXonBepacNa5bhXyao2smWtKZskeQ/jTgg2cETvx6GleulYaSB7"
    "OEpzG+wsFSadkd713WA4mEzHvemIXYx8rQdfqVkSuKzPaYXL8nabReT2tsUsoZHgwtFuMH"
    "MnaCjaqbEH8W7xSwofcHPf0UNvYQsqpWbXW80pO5mQPFyA9nRfk33FlSd12bIlnT5qZSoX"
    "J4QFDSFoCEFDvDkNIXZuNlnrFezcjES+2VOXkk2fcFpY9tKXv/l1jHU547BTn14ae31Noa"
    "sjHA5fgxcgdk535HUCW469E1XABWxc47DaN63pAZbBbW7RzCc4Q9p7OR29hywGhI7fM0nk"
    "VTJH3iBANkUygg7RiWvdb9wNs66530bsTWAt4ULAOrxLJqFX2fmMzAhMZkizLTT5ufe+c3"
    "4BRyI94ZX9AU1WcELSfMOeYtvsmehv1jfM7X//yBpZDlySEcFr9kA4+oguoPsZsRjKaOWY"
    "bH5ivxCqZXjbiKmuYrPwxuBwxqnXF3wMWRXiAKS3pYRDWinD8YTE60yptX7rjwc3f0r9u9"
    "7gtovC32Zk3Aep+95k8vtofN1F0e/14H3ciYub9oxKNY5jrr5sOv6y0ti7U8Jmjko20GY+"
    "Xhs5xTWyyvlFlki7OAr9Cr7jW9BynTdA1eXVfcEyTDAHUXST0N5QE2uP5Fe8SdiF2b7u8U"
    "KacHPZZVNeb72V8IBifzv7i7EXzrjqTa561/3W17fJA/qdmk/YHLIvrRSPOXS3necyr912"
    "7P1T8f5Tg/6Kzb3c9aOEb9isdKEaORqd8yJb8lirnNSKxLa8JVMGL8JhmTr723XCWVtJ/r"
    "nfPEhHpRqI9VmRbKGz7GShs0SukLJyGIAmTsE5M1QfkWnSLurK4vSAkGwqS83Giu2YfKc5"
    "p8g2cChXv2PRprasSwY2qJmy8yWvJkBcsklj+sCVATwooUopM3LLaCEkKtRQWg1lJx8x8Z"
    "SYeOgK0GC/QLI2lo0NHsDTZBsI+mmnyEZS1io7vNJJbCP9hss3xGt5gvS437v+s4u2H2dk"
    "MAzaBZ9m5K7HZov+EMp4dlHoSz1CZp5SJP4ingnB5u3GPj8tMnOxVtmlPE8zSqBIXp3xMu"
    "R7agci0lJnDl5z3xM1zUh+YTvCVkwceMORFM+As5QlVh0PB27UY8JiJ0hh5GH+XFGVh9wI"
    "ixxwA8Lpx/36H9VRG8Fhg3ywxsUOB+2xACvrOlXcWIqyclKCeDqVs0oaxiVj4C5A9Njgzc"
    "HuevRwedtH9+P+1WAy8M8E3K6w7s3oxMDM4dtMtMsQRmnSjRnRh6YqtliWYo1SxYUuyukC"
    "MpXN5xJTUFxQzEAvzkBbyMpMQCnCYsy/csyXmn7SpIUmXqkJTtsyIdcYBVS4cXjuJwpFMc"
    "0+cXonIQ6djnijVRw6zSYK5gvxKyUuJ1RTuWps78kcStlJ1EMd8LzGqOPJmUN+ZnZBieyQ"
    "QIpo84IC1W+nYY+DEQ1FhB0SkPWFk1fShJuH+l7CmU/YJFgvNdITkgLyQpBTS9KMVJs/J2"
    "IfkhEwF4LZrTyzxLJpz3HJujURaRFerHN4MdCXbi8lZYmVp7IKj3QgdF5nnUPS6gqbCk47"
    "jimHN4zJlaQNj0exVRCHHuUnwcZWPq4qJliKJakZ1G9DVKma9VQC/4iYQL8s+mxSUE+5Zp"
    "mthJhfCswvgNY5N77nAl8OfE/5AT4VCBdFmD1N1TJOrsrm8aJSgsvbE+tdgt9ICDbP765+"
    "V4LrRVn4M5+NEpZqTBjtwAYK7L2XvPpw3NWf0mSbN9r3wFofVfWYw0J/nIVTRbncb1HrKW"
    "xT+XK5VdR9hYorou4rRxmbHjY1ZdlKKWHj32nnla+Rd21qc6ZVprGUWqMmxUzyp7K8kfK2"
    "hVMqyTbKrklTwuR/rbFft1fxAMf+wEvFgbDfvIHo7uWYMMhsSI1u5BIKdnpg4wBswtuwN5"
    "XxBhzrffWL2df/B6u8up0="
)
