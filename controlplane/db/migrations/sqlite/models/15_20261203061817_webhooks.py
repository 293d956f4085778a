from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "webhooks" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "url" VARCHAR(2048) NOT NULL,
    "description" VARCHAR(200) NOT NULL,
    "event_types" JSON NOT NULL,
    "secret_sealed" JSON NOT NULL,
    "enabled" INT NOT NULL,
    "failing_since" TIMESTAMP,
    "disabled_reason" VARCHAR(300),
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "user_id" CHAR(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
) /* A user's endpoint: the events it wants, posted to its URL signed with its secret. */;
CREATE INDEX IF NOT EXISTS "idx_webhooks_user_id_0bc8b5" ON "webhooks" ("user_id", "enabled");
        CREATE TABLE IF NOT EXISTS "webhook_deliveries" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "attempts" INT NOT NULL,
    "next_attempt_at" TIMESTAMP,
    "last_error" VARCHAR(500),
    "delivered_at" TIMESTAMP,
    "failed_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL,
    "event_id" CHAR(36) NOT NULL REFERENCES "outbox_events" ("id") ON DELETE CASCADE,
    "webhook_id" CHAR(36) NOT NULL REFERENCES "webhooks" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_webhook_del_event_i_1720da" UNIQUE ("event_id", "webhook_id")
) /* One event's delivery to one endpoint: the outbox delivery of the webhook channel, */;
CREATE INDEX IF NOT EXISTS "idx_webhook_del_next_at_c6b905" ON "webhook_deliveries" ("next_attempt_at");
CREATE INDEX IF NOT EXISTS "idx_webhook_del_webhook_b55bd8" ON "webhook_deliveries" ("webhook_id", "created_at");
        CREATE TABLE IF NOT EXISTS "webhook_attempts" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "attempt" INT NOT NULL,
    "at" TIMESTAMP NOT NULL,
    "status_code" INT,
    "latency_ms" INT NOT NULL,
    "response" VARCHAR(1024),
    "error" VARCHAR(500),
    "delivery_id" CHAR(36) NOT NULL REFERENCES "webhook_deliveries" ("id") ON DELETE CASCADE
) /* One try at a webhook delivery, as its log shows it: when, how long, what came back. */;
CREATE INDEX IF NOT EXISTS "idx_webhook_att_deliver_b8eb97" ON "webhook_attempts" ("delivery_id", "attempt");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "webhooks";
        DROP TABLE IF EXISTS "webhook_deliveries";
        DROP TABLE IF EXISTS "webhook_attempts";"""


MODELS_STATE = (
    "eJztXW1z4riy/isqvmxSxU5NyGR2L3vrVjEJs8tuhqQSsi9nOcUYWwk+MRLrlzCcc/a/X7"
    "Vkg19kx3KAGI++zICtlsnTstT9dKv1n9acWtjx3vQCfzaaudT3Hdzqov+0iDGHD9L7bdQy"
    "FovNXbjgG1Mu2TJYy4kfbzr1fNcwfXbz3nA8zC5Z2DNde+HblIDIR8N2sPWtQx9sgkwaEB"
    "+76J66iBKMHvEKHRkEGSa/842H8Jy1R+y2gUzHxsRHhmW52POO38DzLGqyB9rkYftdB8T+"
    "K8ATnz5gf4Zd9oA//8ku28TCX7AXfV08Tu5t7FgJHNmzoAd+Y+KvFvzi+cxwP/Km8LunE5"
    "M6wZzEmi9W/oySdXv2d8HVB0ywa/jYikFKAscJVRBdEr+WXfDdAK9/prW5YOF7I3BAMSAt"
    "fsLmWmsyGV6NJrf90WTSyigtkoiBHV4yKQGF28T3OAJz48vEweTBn7Gvp2/f/i0etEFCNI"
    "Mn/tq7Of+pd3PEWh3DIykbN2JUDcNbHXHvb96J4RuiGw79But7psSAaS0L+ID4crzjIinQ"
    "2R9SBfTowgb1zeiPIH67K8wf4Bd82zl5992770/fv/ueNeG/cn3luwItDIYjDvAG0CX7I+"
    "hy4vmG62dBvWCo+PYcy5FNy6bQtULhN9GHXWG9wyFegOVo8Kl/O+p9uobu5573l8MR6436"
    "cKfDr65SV4/epwb/uhP022D0E4Kv6B9Xwz6Hk3r+g8ufuGk3+kcLfhObiumEMPDZJBbDJL"
    "ocXfobJq37x9irBBemhvm4NFxrkrlDOzSvbfbWvDNPXzGI8cCVBGjC7wzXmAtqBnM2556L"
    "aVq2DKWbFK5EVth4Es77XrnV6Ce6ROw3rtjPm0+ZFF8qPOza2EMGsdAKGy46GrPX5NdvO2"
    "8778etYzQzPGR7XoCtLnKo+YitNrKJ6WJ4PrZALrM07eg5Y2LS+dz24evS9meIrVQoggLZ"
    "fvS4NvIoW+Zc6sACCRpEJluOHjB6sJ/YT7B9L2yK4OZL1z/bUln+ROvGrX4n70ssfifp13"
    "+z9sGt4qVPDA6FhW8joJc9WPZqMhcO2B9mEFNqi6/vFc5+dtiq5Kw3YrOEGxDC8EWebWFE"
    "79ns4AXTdasuWrJ3HsMUYnto4RimmHDQjE1k4qJFmXjWCN9y31uehe7uBhcKs1AQ2NYbkN"
    "nNXNT63/uAmIAJ4k+Cf979X2v/loswxMVcFDcy+J9ePAnFNTtRg1wiul/8X8dMfBbsGLjY"
    "fbJNrIprQmqbkGYn/MPDNGDwKAIaE9FoJtEkbDFSRDMm8gI0Q6gaBSZbxP1AwmSA7dxn9j"
    "nHM24RJF/7tfR2bOkSiLau+8OLwfBHxSUrEuui8MOYXN9c/Tq4HVwNxeXYtzG5uRuKy+GH"
    "MfnYG1z2L7pI/D8mt6Or62u4EH5IWyX7tNc36nSx4bG/V6pO+auxkaikwuffib1SJSl833"
    "belUGYNcvHmN9Momxh37AdFZQ3Es1DufP23fclUIZmuSiLm6lV01WCOGzePHy3yGnHFlH2"
    "v7cwxJxeFuKE0K5m/FdE+v1pCaDfn+biDLeSMJuLIAvwR4caOXRJ2D6F7T0IHCC6BWheXN"
    "19uOyzVbd/zlfdJFPNb8IldsH2OQY3/d5lCtw5nlNXEvb6YD/k8lEbmf3xUbscv4KS+p9O"
    "5/T0u87b0/ffn7377ruz79+uuansrSKS6sPgR+CpEuM7G6/xfHb3QTJ1FCEfE9LQV4aec1"
    "dAtWfB//n2aiiHPiGUDpDZpo/+ixzb25kSYpzTNLAd3ybeG3jsa9BOAFIiVhbN3kefer+n"
    "J/bzy6sPaR8KOviQ4UxMF/sSLypfJTERrZCtK0QwvBNDOZqcENxCKLlmhuWhR5KTq7+PXa"
    "argPgyX6xYzxlhres665rNlYB7hRc6KdnA5BAgcKwr4qzCEXggag9flkKtBwurotaTklrr"
    "ddG65GXnv742UfEnaucFxcWtdnFMnDcqGRLvERQKoCMDgcnzY/84TA5laxOk0lCf37vpf7"
    "wbXhy3w9wcJsazbhxsPWCXIWgQzxDmnO2neegdPWZMopwf7w0a4ifWIHzpusjDjoPdNrMt"
    "V/Cfb3zhsXbHJpB65GJk0oUt+jd88TCRLTQmjgEJtC4G9NtoTp8w/FLowZwZ5AF+jAHZQ/"
    "GkI9anA6/DKvrdBr+/Qku2xOuIfn2iTvkRfZEIpkRFriUal8V12ilD93by2d5OmoV8tElO"
    "etzzIb5Its50L+QwXg3O+10UfhiT85v+xWAEQuxq7Es9wnSxuVQxkp2V1PkrCWjpkv3JAo"
    "2KIz7ZQ63H/d1t/6aL4N96jGsBndqIjsvsNtWlLu73IWQONTLXhdulE/5VwdRIidV5Qqgc"
    "wS8TYe4URJg72QhzCFu4wa0C4DHJBmJ+VgrzswLMz3IxfzJ86aTxLOQbwQYivn27mju4yv"
    "NJUqqBQO9kOhGo8Q206mCvxZqI9lmZHDfWKh/ts0yGmxm4Liam0p7iuEwDcS6TG5SfGpTJ"
    "DPKCqU99QzKYC5MoYlI6i6JyFoVvfFHDPRTQkFeHXH2w65G+lZE+AZCyyBeN9bVIk5DfWr"
    "kCHsjIApqf7LMW2H+qz+s45btJ6sGuTa1qVSLSsjrdoz4R4GzgP9QWlkUtSukZS2MWWsu1"
    "0rKI1lbI7kgI7ie5oyZk50HouCbJHD9Tm4zoIyYtSTrH5ma7KKHjX6zZxId2ZXM6kOkEHu"
    "QwgCjioghKgFlzm9gg7VMXzQxieewmYr+cKf0H5M3okiBKTEiEYC2wBaVYZtjKFjvYyRN0"
    "gkQtQhUFCRKKHGOD2cWTUuziSQG7eJJlF/lrNIE3QgXlpFTjElHelyEW3+fziu8ztOLCxf"
    "e2hHrJh3gj0cShvPUAPP6ysNmsUsGoSkpqy7luVlVi6wMbRIGnVIAyLlKJ1KmZOrfN6SjC"
    "+SIoK01KdS5qlqxA8cRWxSpuXVJSz0B1noH0hpz8F+owt2aU2ZAT6W4qiQvn+3xJqZ3mpN"
    "XlfX7G06sJQ3LJN3b0RHXyloQlSTZoFzElYpPIJCx1XpotWRqOg310BEmgFpqukIEgfxH5"
    "1DJWbfbNx8Yc8V0h4Z6VBftyT915VFVdxpBsodcxGROoKzm3H9iIBO6AvSYegg00/fNfkD"
    "8zfPSI8QIuicd94yHTMGfwQMOBxGLY3AKdT+kTHpO5TQJR9TbcdePYc9vvip0szO2fGoAQ"
    "oUyGzR2IBi4yGcxtxBwgsDaA42EduZZr3PuatKnLq9wuIG10TX7h5XZKETadAsKmkyFsGr"
    "+l5bfe5WV/1EXi/zG56f/aH971uyj8AFdgu95tN9y3dzsm170/PvWHo8n5Zb93I6rapa7w"
    "qnefrkaDq2HvciL2xfDad6lr6Um1VCJaqTy0gjS0DF1Ui70c+7E69FaOZu890AmVu06oDK"
    "2uLMBFKWYxoQaxYnvOMRMG7YQbtGrwpyUbQ6ftWQMOc+PDoVyBkslKa/JNk2+afHt98k2B"
    "KIoFWdlzGUaScMaHUPLjLzfY4ayGZBgkuJ9r0dcBjoS/o7EfXY1GxO4ZtQi0XEYthuqzjF"
    "pcm88zalcESqQ8iBNQYrUCujxFaA7UFjoivFzLv7FLj4HVwhYkCsHpUBH5lSzokmXYdvYU"
    "TWnVwm3Jp7SEctWMvI1Mk3YT7NnCW9tn976sUE4JH2cjqj2dF3g6B2R57ZXybZbhFVd6uF"
    "4pcmFJKV3Y5EAqIB0suBlXQYp1FuiP1MX2A/kFrzJMepFjMEr2eZgwZ5wDdtk1lmvrUjLW"
    "2AeGAo7OJLgd3QzORy3ZfLE1qGPx94bCnJwrcyB+zRyJ+GjP9epSr8Sznl1scCl4d1ATkx"
    "+1y5yvOXOnVgzSJYVEgzkbXihyF5EXzOdwICZzusAHK+XTbbFv7cnVYE1oF3hytoXnC+pD"
    "fGmimKggEW1c0sJOati8JJL9ohj2fpyF1ujqenJ33UXi/zERxYa7YdHhKGMhSlgYk97Fz3"
    "e3I0hQ6KLN53rEv3XAdtcBWxffY4ALF2R45GWKpyWbiPbWy5VtYFMrDpeWayDY29/qxgw5"
    "qpo/E5fRedKvfLJppQHb2pURuIfikZrc/ErITR1VPqyo8pD913/C8j0am5vtIs6Bn4COoV"
    "3pvRkuNqkLcdsZNhx/JgK9Nvd6eeAXupTtvigtt2WOoCgGJl1TJYGv8JWpr5O6x7BXQTUK"
    "GExqpk1MZLd0/eGlBt+7dA6Vyfwgp0r28+RAqos657lf94cXYmuC+DAmvfPR4Nd+F4n/xw"
    "Skb/q9iz+6aP1xTAbDqF30aUw+9dhY7Q97Qzj6I/alHgwCW3VfptVEB3V2ur4ipR6GG7I3"
    "v/nspAxLwVrlOyInGZ7isByRuvjSdfI8ctOYa7LzGYzmW2O+4H+01KQO7z5vU3u8oUIAzz"
    "WWyMcOnmPfXSEh/gM6Inyzr4f/Oka2h8R444fiMXt64RgrUbXNgx3CMx57W9qmxPzeyRMk"
    "hvqfcYuO9dn6Z8p0TzRgg5fd/pP/r216bdMf6BSrdNbQX2qjORTQKbKVkzN9GTdVVF5+zx"
    "WcGge4uQgmC+yaWJrs5FAjb9dfUi6lgXsQPEAdFMB5cXX34bKPrm/654PbQVgafW2L8Zt8"
    "Gf3LsaOsp95lCuw5nlN3BTXcFJfJlKAe75XHu2V7jxUUkBDT8L9gk6thnShNNGsJPcWUmW"
    "IArjNlgM80wCoAn6gjfKIhLoS4dqTCDXWcYNEqpBbCNu2SBMPE5e1L8gziER6ijgVlz2YG"
    "4XXGgBhwsc/sLgjGLdkIoMs2Mp7Y+GF/EWI2GZoG5iOWFFXbSo/P8QiiaYZK0IyBZgwOdE"
    "pTYAzCwa80oDcy2q6sbFcubcuXlP3PBX3dvkmYb63+c4wPL4lnTEIjqmmW1zXRY6BN5rJT"
    "QssBHslq0DW3dRCLoOa2NLfVtCmmRrxA7kF0m5vtZ5kAlYPooHb5FBsuc8ChyCI46IYD+b"
    "dQgQl6+8YTZ8P9IOqNQ2Hy259633bO3kN2wCNeSEiAbXWqNwfXwvfMd+31cWh72SOmE93y"
    "oW/Wlht9QtILJ7M6KTk3uzGuZc2O7rKkEUAlMZdVC+z8Rt1H7A7Dzg4T2Ger68SGVaK0zn"
    "nv9rx30X+tyjpXgT+lXy6wYz9hdyWzjVMtCg1kytvCXweNbZWEXHNmEIIdZrse4blhM6T5"
    "yUBoiaczSh+9YxT2uopMXb6Pro2Wtj/jNq6LfXikPBt3e93DmUSfCf7iswXAx/MF/P8ZDO"
    "sphW12EI7jGb8w+SODWPyS6Rj2vIuM6Ckieucj33iEQ4XGxKVLXvgHDidizRxseEx6xpbf"
    "tsgOTgla7KeguW1962H2CNY8FLUCJvbAxuGYwDHT/OGiM9bOe4MGPvxUGARofX/9l7M793"
    "B8NRyfdBQ90ILKQ/cMMmwd58cPcbT5MQRakokc3YH3OQmfYjqy9jS27WnEVFPWzYiJNHBH"
    "zfbLfoSjXSUkExdpzJkMWwvIpOcQRSteIq5N+Tqb8o7h+RPsulRSeDl/mkpK1XhLbsWJai"
    "c1SNZLf4X3Ki2rX6o6v1TCrqug5oSg1nGddcxNc0USJC6jWZBiFmTt+ryQBhGO9rqKzGFC"
    "+ywPEh9Z9SNCcgv8pJTzLAWiUuTnls5xuNkXXPsZ65zpnjn+S9dmBipBtkjz9dhPih/0gg"
    "xPkAvMFXvAQFJg516SNLzV7qMjmW0L6AK4z//UbzwUK0jLPnf5jmYTgzEgHuxhQVHwHc1r"
    "fgFYhzFht4Gl8DkpcYwe2VzG24aP4D+NP0dHLusyI7aLIpcrtVKiUfsal9WtTbjSC6b/wq"
    "ZkwcmHNyayIw+oSQAvjBWk9WQB/vn2aigHOCaStoVt00f/RY7t7WxRj00Y08B2fJt4b+Cx"
    "rzFnAEQJuzgC+uhT7/e0Ds4vrz6kJxfo4EP6EGSTl3Su4qakRJtXFPPQHRWF7LAMP2HLEt"
    "xV6mBmQ1sNMbqTOytEiGuyLdR+E/01EbZdOhjXxgpO9cj1MBL3C12MhWipWEh04dInZqK7"
    "zFIPQ5tTkRtoZ12BuBfAbXf2GQKBrIHPj5dc+7ypqqPbf8iYML+BrWz4Hg4/Yf7AulDSEX"
    "XZl9gTIRlSjMljHngVjsu6lFJ+8DLqAxqs/dMX7X/ULsW2XYq4jsravXEZHaQsEaTMpwrz"
    "QS6gCpsAcufsrATKrFX+ETRwr+wRNK/jH78ivielAlgnBQGsE8kRP3QxCRaqRxrGhXZ68E"
    "NNHASFbdE08E06VxqzMZEGDtudnEwV8qXVkpITojoXvS6e7xaOf9ilV3KD79nfMcvdGZW4"
    "X+iVuKKl0v4oyMykCwNKoIbiiIsX7FxCN9TnDiqY9zbxEPML5swPuDfmtrOSJ39u/xE6Al"
    "GLBSrfXRC6UrQAEkL6gIS0TaV3o+0h+oC/LGymhAomQFKygRbAgaz4pZJyYLd+BR3HxHTS"
    "VZ31q7cXfg1a1luH89fJZrlrqbnbnfAKCyqWUFKqeZnozIMqRZTmn/PD7yWtIXsBemGqyz"
    "m+KcdpSkg1D+p3ZSjpd/mM9LsMIc0Hp5qzFBPRGcLFGcIAVRZa5QThu7Cbw4T02czg2ICq"
    "U2LwLXafbBO3JORYdKtdxIt5olE5RiwfVM041eAdbxcwTvx/hUUqat84TmQnET3PCR5U0I"
    "3aNw7d96dlGKfTfMbpNLvbb/OzMgiP8Je8ooNJsQac7l7kovR/HyW8k0xe69pDubwa/hg1"
    "Tye7pgpPMWAeqMigKzuu4zLNy5Y/K7eZtWAva3pwP2HXkw7sfIhjIg0MXG8f4pcdr7v7s3"
    "Wz1oY45FZxGmmlD9OVHZt70Yf6mL1R/6KLNp9bVVbRrR+aO6fEnzmrycINbdZUCnBRhd+0"
    "qC4yK9FKuSKzgcf8DIGk5KXJ32OSlnvRRpOa0Rv73lECVT+g/pMK/nGZ/W/yaRD47BYNXM"
    "XRnxDSQ786+jpkkb8eNDhksbAqaj0pqbVeF61L4pPrLUw1yCu8JcbCm1HpTqf1vXYhbxq2"
    "UkgljESghKOBTCfwfOxCzUMPsXEQwKapqKLA1KFTBL/Lgh1Kn72Z0Tl7/xkdscHhy7Y2bb"
    "f7MQnjU9jqQt0E4tum4ax78RATcDEvQwk9tdFyZpszBJubPPjsYNgGRZf8EVAoIbcyY4oj"
    "/rMV/uxJRD9CBUqiazBuacl+AX/8aiG4Ju5XEMZiZU5iLV1nAqh1d3151bvoIvH/mJxf3t"
    "2O+jddFH6oB+2QnnBKM50puTqrojZc/no2V7Ty4nINtPEO16bLmvKPwRS7BPvYm1Qgt+XS"
    "zUuR2X5iNuU1dBiUAZFV8c2nLjKCmj16AX/hYdPFIZpZLeQfb5kS0/WUM0eG2v9WjApEEj"
    "oYUDkY4PkUqhNVwD4pqFVQXQXcN1dZQzcSzYvA76Ccmk0Ilh1oSamDDSKHeCOUgnjKpHY1"
    "tNdX9rtMfri6ukwskx8G6eSRu08f+szt4qhvDliUHFJ8UOT+Xkf5YbK8Nd89fhtM49rIMr"
    "3x++1CtjfWUqfKaqozDfXedhscINcpEswVAU1KaUwzRXYtOmedKtmFcSGdePwsWXl4iYPX"
    "/eHFYPij4mwbiXVR+GFM0rmE173b0eTijl2JPo3J7d0ttIdUwvXHMTnvDc/7l5dwdf1xTP"
    "q/Xw9u4Fr4oSbUP9TeJf5kgV2bMmfVN1x1wzSnD81S15qlTqkNE8nipKT4sIfmeSZN0jom"
    "TyrMeNhcl0zfOktuwpLpVDvaKS2rS1DU+ZUT2mKqKpxqC8m2vC409aZAvXmBt2C4sbdmqr"
    "ShKy3XvFDs9u1KsRXCZJg+MNwC4tuSo2ufK6Qk7ULPdXWe60KlGa5sz2RRtCwl2Jjg755D"
    "ZYcVXtBZ5NXjC3rvQJO1Xve9A7FYUO5xKdlG7bLxJaWDUyDxPzwBkaf9xzv6xkPAQjKppe"
    "3P0HK24ueOLGf0h/RhJxALmRoeThNz2+5/TDLHqsyNRxw/ybGNPMq/zmzIIlkhguGMRstm"
    "i6QLZzTyh0EDly5L7ytIACyCCtEhKqUjbUVLuDROIVm5wxmtvqT6Hlfu/AicRFulA0dZUV"
    "3/K2Uo3bt0PnlZeCPVRY3dwq82vMEWz5fpONFBnfc3fLUqZvadp5Zgv5Gos0IrUjlnpUp7"
    "nRWU9jrLlvZitgpVTQeJy+x069sBLj7qflpj/bPD9cdqleY3oou7RUvihIkbhY6XOFWrpL"
    "P1iRK8gr3VAfNM5swp8QzbAldkxZwSx0ELY8Ucnja74tLgYRY7/vEHZLrYssUBkibrGk5v"
    "oeTedufZM2F29xideliLyTDf8aFLhooArKLRluyhzot86+4WdgPDv/WwpgR0agM9LqOzFA"
    "+navfhoWnM5XsKi1ipjYzegVU9rMQzvUy1OqgxmTrPwRUdrTK5tvmptplMW314chbhrR+e"
    "/BWnM59fDT8Obj5xSif6OCYfewPO8oj/60vx3GOYSpSKkySEGpfqv/13w4anBeZ6d1cS5/"
    "wi42m5RkxERazELuqMRzP5hI3aKitAJLeVGESNhvlOjnYHesCFeh+BK0lKK5pRknI1DvhU"
    "hfvtu+/L4M2aFRyaDTdTYZhNwFv1xPeMpOaSU6a54LZyslrzkU3LaVzzcK2QS5eS1Tmrda"
    "PtDzdnUpdkOPSSDHeQ6vwTDdyWJF6zudkuitmIdOkZa1cybvMb5JlBtdpU9podertoxn47"
    "uqcubwQdQ7Lb0nAcBGO3i2zfQwx+7D4ZQjQTs9n+I5jben2Hjua249gmZbeO22iO55ARB1"
    "l2kBvHYEBHn+wPx2jOhr69cGxR0BeS4zzMxrMFxXfFo9m1+ZgcsdGNH7Dr8Sw7L5h7CCr5"
    "4i8Mv+M3qGdZrAeftsOkOxeHeXxt6BYb5oz9BB/DH81+AF7kBZWk+XbwR4uMu6rxJp2At1"
    "2OUyfgvZJ9Fc0KitCmxDSsKVhn4dKhYsZEMjq9pN526iKYrJfCSbi4qa0QuV3o/VbVAmPC"
    "GmGYTqspRC6vtVG9VifYxZXVkdOB1kd5fdTGycI5/hV+1rXCJZ2qfPR1klktzKK6HgVdK9"
    "J/J4dB47kh2/GfD/BaoHGh2s5ZmYK9rFVBDCtbstfwvCVlk+TM8GZKEcO0YANH9G6ihtSp"
    "nJAaye4vb2SdUVopF3VMehefBsPB7eimN7piFxNf08Tf6ySF2N4E4oJPsqrsRaV0EnI7q5"
    "+T0Uh04WCr5/AJGk4ksdmDVOsXZYX3WLno4KH3sAfHwOQfJlNwpkZGcn++zMmuJvstH6vh"
    "GJ4/ceiDXeVYpoywjvXWmkPTsd6vI9ary+M0WeuSd121PE4ivZg9dTbx6SOW5b5+COU//n"
    "KDHcOXr6MhvXQj+hpBVwc4HP6OXoDo6mZYxJg0Zsuxd2IbcAEb12islng6o/TxhTD9Jnpp"
    "Eki75n7FqMohgNdDrpgFjg3x5xNseshjQDj4WyaJxFl2SLwpyKfIQNAhOuIukMhO4T5Rmy"
    "e8+PxCRM0cZ7dDb7PzMRkTmPF5us3tT71vO2fv4VDsR7zw36DbBZyRPV2xp/g+5Lh8Zn3D"
    "Avj5B9bIC+CSgQheYpHGQ++h+zHxGMpoEbhsEme/EOqlioJW1LGwW7pEVXzvo+gLPsZML3"
    "0E9uvy5jGtVCHCYuJ15h1bv/ZvBh//mPQ/9QaXXRT/NiY3fZC67t3e/nZ1c9FFye/1IMf4"
    "xKXMDSelGkfEb//gPPxlYbN3p4JjkZRsoGNxuI6ExH/0qjmPnt4AcBD61aTQ16DlOpfiqM"
    "ur+4xlmKFXkuhmof1IXWw/kF/wKmMX5hMChwtpxs1ll11jufZW4gOK/e3sL8Yi5nPeuz3v"
    "XfRbf79OslTEL0jc5Rj1kO8sx1mOMp4ywPCNh5iTuKAMrK5wWXnJZ9issTTYhzaCASgcXP"
    "BU724umRP8QNgVXv0YrglPWOYub/kJ4DOPZmvXO/SW2VcDXPCjz/CBPfvNLb//gX75fNxG"
    "hPoIjGlsdeHR7gox4Gz+gXUgnjQm4aPeoAHv15vRJQkrly1nWJSOjv4MaDA3LKzkT0NbTE"
    "BVqsWetfu89WNV1Xacv2Sjed2myP3sNI//OAWgU2L7A7y1q/GbhrtMjl+nIMevI8nxg+k0"
    "7CqDdcGRckmxehwtB89rzNFyYpWaiNVJRTUZwf0r53Xs3p2oIVp0MwooTpXaSOkcqfI5Uv"
    "eGDRbYxLOldaKK3fiMsOZr6uzJwzko8I5M1Gu/S0SbV8bntNRqf1qw2p9mV/vDIsn0u1Xx"
    "3dK5Ul+HmjUZqsnQ3UK6SzI07vBzSs2W+aAVUqwuQoauQbDvNNUqhK3n+3i+8Fv5BHLUol"
    "2CR2ZLCG+scP6fDyWBfGSgsIs11dpGhseZXIc+cHIVvnU5tdpG7Cu7Th6AamXSJuQwAS5Z"
    "RnkHzwBO+bfwiMB1wSI2dFxk3PvsX15qiD3zh7AQkTjUojT1a8VGcoinPuuvpqWGjM3LUX"
    "JjT0yiSWXtt7anR5+w1EizVZRgZ1qzJBxPQVWPhFSlF6ZuDv/W98D5cFbDZC4xo3JxTQrp"
    "eUiCKxv7C/YExcr1G5nmkVMnbztl8jChWUHBiU42F9N1qdLpGWuB5mG8k0MgI4NSkTZIiW"
    "nqoJg6iJvtL6QPmuvStlNMQmqM1TC1aq2EfA85rqfnXeQk71HOSeaR92+8TRqST/kenmSW"
    "FA38Kf2yaSR2+KydXjihnmCnLXWRt/qEMDeKO8bgNYs5xeOlf03HsOceOvocdfImhA+7nx"
    "FUEMYemlJ/dtzmuVRogd0xWadR+eCJ8xywTV5Yfh1ffhvuhj8wU8D3zxbBX/yIteDblNro"
    "z3Xztt7BVKMUrDi3pOZsN6sU4NZM3PTYz+Ba7HdLxHX0vc4+OK94omxtJ6W0ya1iclcKx6"
    "Zl9UtV55fqXtRUUFdzQlDruM461hk0X4WaRX6zmjEfl9EMSWoVjFxeNUiTUhrUYtpp7eO+"
    "kHO64q59P+rtMKF9lm+Kv65yskkyfrfH6DUY2eRbWz0tKHIoHfqQxb1CXlAsfaUhyO82LY"
    "i6j9gdQsBVRnhu7rYLuU7eji20VkmWMx+UMhkzSSvL1rslX5uqe90i/TWqXNM5Oy2zfe/s"
    "tKCg+WmaXJgxZagiHJdp4q7UXeBsL8B7YKNeQjnnI52UaiDW78rU6H+XX6L/XaZCPxxuxU"
    "+JVKD2EzI6g0VC7wNChmvObB+bfuAqTRcy2QYO5dNOme1WnfzdVp1s/TbfcCbicDCJ/VqQ"
    "mJuWbNKY3vNpYgLK8EiwKlqIiWo1VFZD1clHTzwVJh66ADT4XuiVx1xeFcBlsg0E/aRTpn"
    "IJa5WfvtjJ1C0RKcpytJ8vq7qR3t8JQ9f94cVg+KOiRxmJdVH4YUx656PBr/0uEv+PCUjf"
    "9HsXf3TR+uOYDIZRu+jTmHzqsdmiP+wNz9nl2JdWFa1uvQZrmHWuvkc9I9jAaPlJmZmLtc"
    "qPlp9k5q4ozX9mkIdKYTZpBzqmWudgm83fE0tmJD9zCNhabI9VVtZXDrbMCgPOM2fYCgQO"
    "yqinhPX5a6WRh/lzQWUHGucfLh0T2eOxXyeHkrloBq4LgTxFWNNiOiU047I5DjV5LMVcBJ"
    "K4p0ONvFTbtGQK3HsQPTR4C7C7uLr7cNlH1zf988HtICxCtl5h+c3kxMDM4ctctKsQRjLp"
    "xozofVMVaywrsUZSca2LarqAo2/cpwpTUFpQz0DPzkBryKpMQBJhPeZfOOYrTT8yaa2JF2"
    "pC0bbMyDVGAVssVTANE4WSmOaXtd1I1KPYMDy2McWG2UTBfCF1paTltGq2rhpfPFlBKRuJ"
    "eqijUWW5H4MpJLPmH+OeHxKQiDYvKLD989nY42BEY3fiBiQi60snr8iEm4f6TsKZj9gl2K"
    "k00jOSGvJSkFNvYs+lNn9BxD4mo2EuBTPfxzzDhutPsXqEMSutw4t1Di9G+nL82cScYVOy"
    "iaecwhMdaJ3XWeeQtLrArinfEJfPG6bkKtKGh6PYbRCHgvKbwEmpalxVSrBBJR33TFRZtv"
    "dYAf+EmEa/KvpsUrBOlGaZtYSeX0rML4DWmTK+ZxpfBXxP1AE+0QiXRZg9zbLhNynxeEkp"
    "zeXtiPWuwG9kBJvnd29/VwL3ojz8l5qNEpdqTBhtzwYK7L2fhMdCwlnGKkNdJtu80b4D1l"
    "rXicqFHrK2r4izCkfFgfAO4QDWB699VVqXsE3rwiuZ+tPPFbTx6SOW2YAqtWyg4soI+jnA"
    "MfAqZWx62LXNWUtSwia80y4qX2Ns2uyycI1SkZqv5UCnF2Yb5dekqWDyv9TYr9urmK6ZUq"
    "aQB2tVUDMlU8oDXioFhMPmDUT3pFRZ4ZOCssInkqN8KfGl0Y1CQsGXBzb0mfDP8QYK6/32"
    "F7O//x/4eXZB"
)
